"""Issued documents' PDFs as background work: a Celery task per chunk of documents, spread
over the workers (in-process at once without REDIS_URL). See app.services.issued_pdfs."""

from __future__ import annotations

import logging

from flask import current_app

from ...celery_app import celery, delay
from ..issued_pdfs import chunks, identities

log = logging.getLogger(__name__)


def _renderers() -> dict:
    from ...extensions import db
    from ...models import CreditNote, Invoice, TaxCertificate
    from .pdf import credit_note_pdf, invoice_pdf

    def loader(model):
        return lambda ids: db.session.query(model).filter(model.id.in_(ids)).all()

    return {
        "invoice": (loader(Invoice), invoice_pdf),
        "credit_note": (loader(CreditNote), credit_note_pdf),
        "tax_certificate": (loader(TaxCertificate), lambda row: row.pdf),
    }


@celery.task(name="portal.pdf_chunk", acks_late=True, ignore_result=True)
def pdf_chunk(kind: str, ids: list[int]) -> int:
    """Render and store the PDFs of one chunk of issued documents (idempotent: a chunk
    delivered twice renders nothing twice)."""
    from ..issued_pdfs import render_missing

    load, render = _renderers()[kind]
    return render_missing(kind, list(ids), load, render)


def queue_pdfs(kind: str, documents: list) -> int:
    """After the commit that issued `documents` (objects or ids): one task per chunk,
    spread over the workers (in-process at once without REDIS_URL). Never raises: a
    document whose chunk is lost is rendered by its first download."""
    if not current_app.config.get("PORTAL_PDF_AT_ISSUE", True) or not documents:
        return 0
    ids = [d for d in documents if isinstance(d, int)] or identities(documents)
    queued = 0
    for chunk in chunks(ids, int(current_app.config.get("PORTAL_PDF_CHUNK") or 25)):
        try:
            delay("portal.pdf_chunk", kind, chunk)
            queued += 1
        except Exception:  # broker down or a rendering bug: downloads render it later
            log.exception("PDF %s : lot non mis en file (%d documents)", kind, len(chunk))
    return queued
