"""The periodic deletion of old export files (listed in app/tasks.py, run by beat)."""

from __future__ import annotations

from ...celery_app import add_beat, celery

PURGE_EVERY = 6 * 3600.0  # seconds: four times a day (a file lives PORTAL_EXPORT_KEEP_DAYS)


@celery.task(name="portal.purge_exports")
def purge_exports_task() -> int:
    """Delete the export jobs' files older than PORTAL_EXPORT_KEEP_DAYS."""
    from .jobs import purge_exports

    return purge_exports()


add_beat("portal-purge-exports", "portal.purge_exports", PURGE_EVERY)
