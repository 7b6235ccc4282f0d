"""Documents sent by families and documents published by the structure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class DocumentState(LabelledEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


DocumentState.LABELS = {
    DocumentState.pending: _l("À vérifier"),
    DocumentState.accepted: _l("Accepté"),
    DocumentState.rejected: _l("Refusé"),
}


class DocumentType(Model):
    """Attestation QF, RIB, assurance, certificat médical, fiche sanitaire…"""

    __tablename__ = "document_type"
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    label = Column(String(120), nullable=False)
    # How long an accepted document stays valid (months); none = no expiry.
    validity_months = Column(Integer)
    # Every family must have a valid one (shown in the missing-documents list).
    required = Column(Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return self.label


class FamilyDocument(Model):
    __tablename__ = "family_document"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    child_id = Column(Integer, ForeignKey("child.id", ondelete="SET NULL"))
    document_type_id = Column(Integer, ForeignKey("document_type.id"), nullable=False)
    original_filename = Column(String(255), nullable=False)
    stored_name = Column(String(64), unique=True, nullable=False)  # random, outside static/
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    uploaded_at = Column(DateTime, nullable=False, default=utcnow)
    uploaded_by_id = user_fk()
    state = Column(String(12), nullable=False, default=DocumentState.pending, index=True)
    reason = Column(Text)
    valid_from = Column(Date)
    valid_until = Column(Date)
    reviewed_by_id = user_fk()
    reviewed_at = Column(DateTime)

    family = relationship("Family")
    child = relationship("Child")
    document_type = relationship("DocumentType")

    def __repr__(self) -> str:
        return f"{self.document_type} — {self.original_filename}"


class PublishedDocument(Model):
    """Menus, tarifs, règlement intérieur: for every family, or for one school's."""

    __tablename__ = "published_document"
    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    category = Column(String(40), nullable=False)  # menu, tarifs, reglement, autre
    school_id = Column(Integer, ForeignKey("school.id", ondelete="CASCADE"))
    original_filename = Column(String(255), nullable=False)
    stored_name = Column(String(64), unique=True, nullable=False)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    published_on = Column(Date, nullable=False)
    unpublished_on = Column(Date)
    created_by_id = user_fk()

    school = relationship("School")

    def __repr__(self) -> str:
        return self.title
