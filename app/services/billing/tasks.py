"""The billing run as background work (in-process without REDIS_URL)."""

from __future__ import annotations

from ...celery_app import celery


@celery.task(name="portal.billing_run", acks_late=True)
def billing_run(run_id: int) -> str:
    """Do a recorded run; idempotent (a run already taken or done is skipped, a month is
    never invoiced twice). Failures are recorded on the run, not raised."""
    from .run import execute_run

    return execute_run(run_id)
