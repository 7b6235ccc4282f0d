"""Hand a recorded job to a worker: the Celery task `portal.job` when a broker is
configured (REDIS_URL), else a daemon thread of this process (app.background), so the page
that started it answers at once in both cases."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app

from ...background import Background

log = logging.getLogger(__name__)


def dispatch(job_id: int, run_here: Callable[[int], object]) -> None:
    """`run_here` (app.services.jobs.core.run_job) runs the job in this process's thread."""
    # PORTAL_JOBS_INLINE (tests of what a finished job shows): at once, as Celery's eager mode.
    if current_app.config.get("PORTAL_JOBS_INLINE"):
        run_here(job_id)
        return
    celery = current_app.extensions.get("celery")
    if celery is not None and not celery.conf.task_always_eager:
        try:
            celery.tasks["portal.job"].apply_async(args=[job_id])
            return
        except Exception:  # broker down: run it here rather than not at all
            log.warning("Broker injoignable : travail %s exécuté dans ce processus.", job_id)
    background: Background = current_app.extensions["portal_background"]
    background.submit(run_here, job_id, base_url=current_app.config.get("PORTAL_BASE_URL"))

