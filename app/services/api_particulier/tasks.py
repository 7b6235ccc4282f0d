"""The QF batch as background work (in-process without REDIS_URL), and its yearly run."""

from __future__ import annotations

from celery.schedules import crontab

from ...celery_app import celery


@celery.task(name="portal.qf_batch", acks_late=True)
def qf_batch(batch_id: int) -> str:
    from .batch import execute_batch

    return execute_batch(batch_id)


@celery.task(name="portal.qf_batch_yearly")
def qf_batch_yearly() -> str:
    """At the start of the school year (1 September, 6:00): refresh every consenting family."""
    from flask import current_app

    from .batch import execute_batch, start_batch
    from .client import ApiSettings

    if not ApiSettings.from_config(current_app.config).enabled:
        return "disabled"
    return execute_batch(start_batch(None).id)


celery.conf.beat_schedule = {
    **(celery.conf.beat_schedule or {}),
    "portal-qf-batch-yearly": {
        "task": "portal.qf_batch_yearly",
        "schedule": crontab(minute=0, hour=6, day_of_month=1, month_of_year=9),
    },
}
