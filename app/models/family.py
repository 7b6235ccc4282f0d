"""The family (foyer = invoicing account), its guardians (one login each) and its children.

A child may belong to two families (separated parents): each family books and pays its own days.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, TimestampMixin

family_child = Table(
    "family_child",
    Model.metadata,
    Column("family_id", Integer, ForeignKey("family.id", ondelete="CASCADE"), primary_key=True),
    Column("child_id", Integer, ForeignKey("child.id", ondelete="CASCADE"), primary_key=True),
)


class Diet(LabelledEnum):
    standard = "standard"
    no_pork = "no_pork"
    vegetarian = "vegetarian"
    no_meat = "no_meat"
    pai_basket = "pai_basket"


Diet.LABELS = {
    Diet.standard: _l("Standard"),
    Diet.no_pork: _l("Sans porc"),
    Diet.vegetarian: _l("Végétarien"),
    Diet.no_meat: _l("Sans viande"),
    Diet.pai_basket: _l("Panier repas (PAI)"),
}


class Family(TimestampMixin, Model):
    __tablename__ = "family"
    id = Column(Integer, primary_key=True)
    # Invoicing account number shown on invoices and payments ("F00042").
    account_code = Column(String(20), unique=True, nullable=False)
    name = Column(String(120), nullable=False, index=True)
    # name in lower case without accents, for search and French sort (app.services.search)
    search_name = Column(String(160), index=True)
    address = Column(String(255))
    postal_code = Column(String(10))
    city = Column(String(80))
    phone = Column(String(20))
    email = Column(String(120))
    notes = Column(Text)
    active = Column(Boolean, nullable=False, default=True)
    # Alert kinds the family does not want by mail too (comma-separated; none = all mailed).
    mail_alerts_off = Column(String(255))
    # Who the invoices name and are mailed to (a guardian of this household); none: every
    # guardian.
    billing_guardian_id = Column(
        Integer,
        ForeignKey(
            "guardian.id", ondelete="SET NULL", use_alter=True, name="fk_family_billing_guardian"
        ),
    )
    # The unpaid threshold (PORTAL_UNPAID_BLOCK_AMOUNT) never blocks this family's bookings.
    unpaid_block_exempt = Column(Boolean, nullable=False, default=False, server_default=false())
    # Set when the family's personal data was erased (app/services/gdpr): invoices remain.
    anonymised_at = Column(DateTime)

    guardians = relationship(
        "Guardian",
        back_populates="family",
        cascade="all, delete-orphan",
        foreign_keys="Guardian.family_id",
    )
    billing_guardian = relationship("Guardian", foreign_keys=[billing_guardian_id],
                                    post_update=True)
    children = relationship("Child", secondary=family_child, back_populates="families")
    quotients = relationship(
        "QuotientFamilial",
        back_populates="family",
        cascade="all, delete-orphan",
        order_by="QuotientFamilial.valid_from.desc()",
    )

    def __repr__(self) -> str:
        return f"{self.name} ({self.account_code})"


class Guardian(TimestampMixin, Model):
    """A responsable légal. `user_id` is their personal login (never shared)."""

    __tablename__ = "guardian"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    search_name = Column(String(170), index=True)  # "nom prénom", lower case, no accents
    relationship_label = Column(String(40))  # mère, père, tuteur…
    email = Column(String(120))
    phone_mobile = Column(String(20))
    phone_work = Column(String(20))
    birth_date = Column(Date)  # checked against FranceConnect's identity when linking

    family = relationship("Family", back_populates="guardians", foreign_keys=[family_id])
    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class QuotientFamilial(Model):
    """CAF quotient familial, valid over a date range (the one valid on the day applies)."""

    __tablename__ = "quotient_familial"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    value = Column(Integer, nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date, nullable=False)
    source = Column(String(120))  # "Attestation CAF du 02/09/2026"
    # Read through API Particulier: CAF or MSA, the month the QF was computed for, when.
    provider = Column(String(10))
    reference_month = Column(Date)
    fetched_at = Column(DateTime)
    family = relationship("Family", back_populates="quotients")

    def __repr__(self) -> str:
        return f"QF {self.value} ({self.valid_from:%d/%m/%Y} → {self.valid_to:%d/%m/%Y})"


class Child(TimestampMixin, Model):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False, index=True)
    search_name = Column(String(170), index=True)  # "nom prénom", lower case, no accents
    birth_date = Column(Date, nullable=False)
    school_id = Column(Integer, ForeignKey("school.id"), nullable=False, index=True)
    class_name = Column(String(40))  # "CE1 — Mme Martin"
    allergies = Column(Text)
    has_pai = Column(Boolean, nullable=False, default=False)
    pai_details = Column(Text)
    diet = Column(String(20), nullable=False, default=Diet.standard)
    medical_notes = Column(Text)
    photo_consent = Column(Boolean, nullable=False, default=False)

    school = relationship("School")
    families = relationship("Family", secondary=family_child, back_populates="children")
    authorized_persons = relationship(
        "AuthorizedPerson", back_populates="child", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AuthorizedPerson(Model):
    """A person allowed to pick the child up, and/or to call in an emergency."""

    __tablename__ = "authorized_person"
    __table_args__ = (UniqueConstraint("child_id", "full_name"),)
    id = Column(Integer, primary_key=True)
    child_id = Column(
        Integer, ForeignKey("child.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name = Column(String(120), nullable=False)
    relationship_label = Column(String(40))
    phone = Column(String(20), nullable=False)
    can_pick_up = Column(Boolean, nullable=False, default=True)
    emergency_contact = Column(Boolean, nullable=False, default=False)
    child = relationship("Child", back_populates="authorized_persons")

    def __repr__(self) -> str:
        return self.full_name


__all__ = [
    "AuthorizedPerson",
    "Child",
    "Diet",
    "Family",
    "Guardian",
    "QuotientFamilial",
    "family_child",
]
