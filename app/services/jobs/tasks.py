"""The Celery tasks of the jobs (listed in app/tasks.py): `portal.job` runs any job;
`portal.dispatch_queued_jobs` (beat) hands out again the jobs whose dispatch was lost."""

from __future__ import annotations

from ...celery_app import add_beat, celery

#: seconds; `celery -A app.worker beat` looks for lost jobs this often.
REDISPATCH_EVERY = 120.0


@celery.task(name="portal.job", acks_late=True)
def job_task(job_id: int) -> str:
    """Run a recorded job; a duplicate delivery is skipped (the job is claimed once)."""
    from .core import run_job

    return run_job(job_id)


@celery.task(name="portal.dispatch_queued_jobs", ignore_result=True)
def dispatch_queued_jobs_task() -> int:
    """The jobs still queued a few minutes after they were recorded: dispatched again."""
    from .core import dispatch_queued_jobs

    return dispatch_queued_jobs()


add_beat("portal-dispatch-queued-jobs", "portal.dispatch_queued_jobs", REDISPATCH_EVERY)
