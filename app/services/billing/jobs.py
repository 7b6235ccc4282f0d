"""The billing run as a background job (app.services.jobs): the manager's page starts it,
its progress bar follows it, its report says what was invoiced. The run's own record
(BillingRun: month, numbers, amounts) stays the billing's; the job carries the progress,
the estimated time, the report and the retry."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlalchemy import select

from ...extensions import db
from ...models import BillingRun, BillingRunState, Invoice, Job
from ..jobs import JobOutcome, JobRun, dispatch_job, start_job, write_beside
from .preview import family_names, warnings_for
from .run import (
    BillingError,
    execute_run,
    month_end,
    progress_writer,
    run_summary,
    start_run,
)

BILLING_JOB = "billing"


def start_billing(month: dt.date | str, issued_on: dt.date | None = None,
                  user_id: int | None = None) -> BillingRun:
    """Record the month's run and its job (committed), and hand the job to a worker: the
    caller answers at once. Refused (BillingError) while the month's run is underway."""
    run = start_run(month, issued_on, user_id)
    job = start_job(BILLING_JOB, {"run_id": run.id}, key=f"billing-run:{run.id}",
                    user_id=user_id, dispatch=False)
    run.job_id = job.id
    db.session.commit()
    dispatch_job(job.id)
    return run


def billing_job(job: JobRun) -> JobOutcome:
    run_id = int(job.params["run_id"])
    if job.attempt > 1:  # a retry: the failed run may be taken again (idempotent)
        write_beside(BillingRun, run_id, state=BillingRunState.pending, error=None,
                     finished_at=None)
    families = progress_writer(run_id)

    def progress(done: int, total: int) -> None:
        families(done, total)
        job.progress(done, total)

    state = execute_run(run_id, progress=progress)
    run = db.session.get(BillingRun, run_id, populate_existing=True)
    if state != BillingRunState.done.value:
        raise BillingError(run.error or state)
    write_beside(Job, job.id, total=run.families_total)
    with force_locale("fr"):
        summary = run_summary(run)
        warnings = [f"{a.family} : {a.message}" for a in run_warnings(run)]
    return JobOutcome(summary, errors=warnings[:200], result={
        "invoices": run.invoices_created, "families": run.families_total,
        "total": str(run.amount_total or 0), "first": run.first_number,
        "last": run.last_number, "anomalies": len(warnings)})


def run_warnings(run: BillingRun):
    """The anomalies to check on the invoices a run created (address, expired QF)."""
    if not run.first_number:
        return []
    family_ids = list(db.session.scalars(select(Invoice.family_id).where(
        Invoice.period_start == run.month,
        Invoice.number.between(run.first_number, run.last_number))))
    names = family_names(family_ids)
    return warnings_for(family_ids, month_end(run.month), names)
