"""The import run as background work (a Celery worker with REDIS_URL, else a thread)."""

from __future__ import annotations

from ...celery_app import celery


@celery.task(name="portal.family_import", acks_late=True)
def family_import(import_id: int, base_url: str | None = None) -> str:
    """Run a queued import; a duplicate task finds it taken and does nothing."""
    from .run import execute_import

    return execute_import(import_id)
