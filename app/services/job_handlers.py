"""What each kind of background job does (app.services.jobs): every kind gets its handler
here, in one visible place (called by `create_app`)."""

from __future__ import annotations

from .billing.jobs import BILLING_JOB, billing_job
from .billing.mail_jobs import INVOICE_MAILS_JOB, invoice_mails_job
from .billing.pdf_jobs import PDF_JOB, invoice_pdfs_job
from .documents.jobs import REMINDER_JOB, documents_reminder_job
from .dossier.jobs import DOSSIER_REMINDER_JOB, dossier_reminder_job
from .exports.jobs import EXPORT_JOB, export_job
from .family_import.jobs import IMPORT_JOB, family_import_job
from .jobs import register_handler
from .payments.sepa_jobs import SEPA_JOB, sepa_batch_job


def register_job_handlers() -> None:
    register_handler(BILLING_JOB, billing_job)
    register_handler(IMPORT_JOB, family_import_job)
    register_handler(SEPA_JOB, sepa_batch_job)
    register_handler(REMINDER_JOB, documents_reminder_job)
    register_handler(DOSSIER_REMINDER_JOB, dossier_reminder_job)
    register_handler(PDF_JOB, invoice_pdfs_job)
    register_handler(EXPORT_JOB, export_job)
    register_handler(INVOICE_MAILS_JOB, invoice_mails_job)
