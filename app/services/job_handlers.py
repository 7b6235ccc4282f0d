"""What each kind of background job does (app.services.jobs): every kind gets its handler
here, in one visible place (called by `create_app`)."""

from __future__ import annotations

from .billing.jobs import BILLING_JOB, billing_job
from .exports.jobs import EXPORT_JOB, export_job
from .family_import.jobs import IMPORT_JOB, family_import_job
from .jobs import register_handler


def register_job_handlers() -> None:
    register_handler(BILLING_JOB, billing_job)
    register_handler(IMPORT_JOB, family_import_job)
    register_handler(EXPORT_JOB, export_job)
