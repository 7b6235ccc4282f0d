"""The Celery task that runs any job (listed in app/tasks.py)."""

from __future__ import annotations

from ...celery_app import celery


@celery.task(name="portal.job", acks_late=True)
def job_task(job_id: int) -> str:
    """Run a recorded job; a duplicate delivery is skipped (the job is claimed once)."""
    from .core import run_job

    return run_job(job_id)
