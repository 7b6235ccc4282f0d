"""Consents the town asks families for (règlement intérieur, droit à l'image, autorisation
de sortie, consent to fetch the QF from the CAF), published as numbered versions; each
guardian accepts or refuses a version, with the date.

The version in force is the highest number whose `effective_from` has come; a `required`
consent not accepted (by a guardian of the family) in that version blocks new bookings.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import Model, user_fk, utcnow


class ConsentDocument(Model):
    __tablename__ = "consent_document"
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)  # reglement, droit_image…
    title = Column(String(160), nullable=False)
    # Not accepted in its version in force: no new booking.
    required = Column(Boolean, nullable=False, default=False)
    description = Column(Text)
    active = Column(Boolean, nullable=False, default=True)

    versions = relationship(
        "ConsentVersion",
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="ConsentVersion.number",
    )

    def __repr__(self) -> str:
        return self.title


class ConsentVersion(Model):
    __tablename__ = "consent_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(
        Integer, ForeignKey("consent_document.id", ondelete="CASCADE"), nullable=False
    )
    number = Column(Integer, nullable=False)
    effective_from = Column(Date, nullable=False)
    # What the guardian accepts (the summary shown), and the full text if published.
    text = Column(Text, nullable=False)
    published_document_id = Column(
        Integer, ForeignKey("published_document.id", ondelete="SET NULL")
    )
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by_id = user_fk()

    document = relationship("ConsentDocument", back_populates="versions")
    published_document = relationship("PublishedDocument")

    def __repr__(self) -> str:
        return f"{self.document} — version {self.number}"


class ConsentAnswer(Model):
    """A guardian's answer to one version (a new answer to the same version replaces it)."""

    __tablename__ = "consent_answer"
    __table_args__ = (UniqueConstraint("version_id", "guardian_id"),)
    id = Column(Integer, primary_key=True)
    version_id = Column(
        Integer, ForeignKey("consent_version.id", ondelete="CASCADE"), nullable=False,
        index=True,
    )
    guardian_id = Column(
        Integer, ForeignKey("guardian.id", ondelete="CASCADE"), nullable=False
    )
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    accepted = Column(Boolean, nullable=False)
    answered_at = Column(DateTime, nullable=False, default=utcnow)
    user_id = user_fk()

    version = relationship("ConsentVersion")
    guardian = relationship("Guardian")
    family = relationship("Family")

    def __repr__(self) -> str:
        return f"{self.guardian} — {self.version} : {'accepté' if self.accepted else 'refusé'}"
