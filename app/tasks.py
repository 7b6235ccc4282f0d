"""Background work: one Celery app, configured from REDIS_URL.

Without REDIS_URL (the embedded default and the tests) tasks run in-process, at once,
so every feature works on a laptop; in production a worker runs
`celery -A app.worker worker`.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

celery = Celery("portail_famille")


def init_celery(app: Flask) -> Celery:
    redis_url = app.config.get("REDIS_URL") or ""
    celery.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=redis_url or None,
        task_always_eager=not redis_url,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="portail",
        timezone=app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"),
        broker_connection_retry_on_startup=True,
    )

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.Task = AppContextTask
    app.extensions["celery"] = celery
    return celery


@celery.task(name="portal.ping")
def ping() -> str:
    """Health check of the worker (and of eager mode in tests)."""
    return "pong"
