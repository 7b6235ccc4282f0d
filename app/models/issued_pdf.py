"""Issued documents' PDFs (invoices, credit notes, attestations fiscales): rendered once when
the document is issued, stored under PORTAL_UPLOAD_DIR with their SHA-256, served as stored."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint

from .base import Model, utcnow


class IssuedPdf(Model):
    __tablename__ = "issued_pdf"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_issued_pdf_kind_ref"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)  # invoice, credit_note, tax_certificate
    ref_id = Column(Integer, nullable=False)  # the document's id in its own table
    path = Column(String(255), nullable=False)  # relative to PORTAL_UPLOAD_DIR
    sha256 = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    rendered_at = Column(DateTime, nullable=False, default=utcnow)
