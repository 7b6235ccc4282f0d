"""« Générer les PDF manquants du mois » as a background job (app.services.jobs): every
invoice of a month whose stored PDF is missing, or no longer matches its recorded SHA-256,
is rendered and stored again (app.services.issued_pdfs), by chunks, each chunk one commit.
Progress = PDFs stored / PDFs to render; the report says how many were stored and how
many were already right. Idempotent: a retry (or a second job) skips every PDF already
stored and intact, and the count of a failed attempt's stored PDFs is checkpointed."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Invoice, IssuedPdf, Job
from ..errors import CommandError, transaction
from ..issued_pdfs import StoredPdfError, chunks, read, store
from ..jobs import JobOutcome, JobRun, job_by_key, start_job
from . import pdf as billing_pdf
from .fr import month_label

PDF_JOB = "invoice_pdfs"
CHUNK = 25


def parse_month(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        raise CommandError(_("Choisissez le mois des factures.")) from None


def start_invoice_pdfs(month_text: str | None, user_id: int | None, key: str) -> Job:
    """Check the month now (CommandError, nothing written), then record the job and hand
    it to a worker. The same `key` (a double click) gives the job already started."""
    key = f"invoice-pdfs:{key}"
    existing = job_by_key(key)
    if existing is not None:
        return existing
    month = parse_month(month_text)
    if not month_invoices(month):
        raise CommandError(_("Aucune facture pour %(month)s.", month=month_label(month)))
    return start_job(PDF_JOB, {"month": month.isoformat()}, key=key, user_id=user_id)


def month_invoices(month: dt.date) -> list[int]:
    return list(db.session.scalars(select(Invoice.id).where(
        Invoice.period_start == month).order_by(Invoice.id)))


def pdfs_to_render(invoice_ids: list[int]) -> list[int]:
    """The invoices whose stored PDF is missing, unreadable or altered (SHA-256)."""
    todo = []
    for chunk in chunks(invoice_ids, 500):
        records = {record.ref_id: record for record in db.session.scalars(select(IssuedPdf).where(
            IssuedPdf.kind == "invoice", IssuedPdf.ref_id.in_(chunk)))}
        for invoice_id in chunk:
            try:
                read(records[invoice_id])
            except (KeyError, StoredPdfError):
                todo.append(invoice_id)
    return todo


def invoice_pdfs_job(run: JobRun) -> JobOutcome:
    month = dt.date.fromisoformat(run.params["month"])
    invoices = month_invoices(month)
    todo = pdfs_to_render(invoices)
    stored = before = int(run.saved.get("stored", 0))  # by the attempts before this one
    intact = max(len(invoices) - len(todo) - before, 0)
    run.progress(0, len(todo))
    for done, chunk in enumerate(chunks(todo, CHUNK)):
        with transaction():
            for invoice in db.session.query(Invoice).filter(Invoice.id.in_(chunk)):
                store("invoice", invoice.id, billing_pdf.invoice_pdf(invoice), replace=True)
            stored += len(chunk)
            run.checkpoint(stored=stored)
        run.progress(min((done + 1) * CHUNK, len(todo)), len(todo))
    with force_locale("fr"):
        summary = _("PDF des factures de %(month)s : %(stored)d généré(s) et enregistré(s), "
                    "%(intact)d déjà à jour, sur %(total)d facture(s).",
                    month=month_label(month), stored=stored,
                    intact=intact, total=len(invoices))
    return JobOutcome(summary, {"stored": stored, "intact": intact,
                                "invoices": len(invoices)})
