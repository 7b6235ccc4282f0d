"""The one Celery app, configured from REDIS_URL (the tasks themselves are registered in
`app.tasks`, the one place that lists them).

Without REDIS_URL (the embedded default and the tests) tasks run in-process, at once,
so every feature works on a laptop; in production a worker runs
`celery -A app.worker worker`.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

celery = Celery("portail_famille")


def _short_waits(timeout: float) -> dict:
    """A broker (or result store) that is down or hung costs a request about `timeout`
    seconds, never a hang: one retry, short socket timeouts. Committed actions keep their
    mail in the outbox, which the periodic flush sends later."""
    retry = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
    sockets = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    return {
        "broker_connection_timeout": timeout,
        "broker_transport_options": {**retry, **sockets},
        "task_publish_retry_policy": retry,
        "redis_socket_timeout": timeout,
        "redis_socket_connect_timeout": timeout,
        "redis_retry_on_timeout": False,
        "result_backend_transport_options": {"retry_policy": retry},
    }


def init_celery(app: Flask) -> Celery:
    redis_url = app.config.get("REDIS_URL") or ""
    celery.conf.update(
        **_short_waits(float(app.config.get("PORTAL_BROKER_TIMEOUT") or 2)),
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
            # A task run in-process belongs to the app that queued it (the one Celery object
            # is bound to the last app created: tests and tools create several); a worker
            # has no app context and uses its own. Always a fresh context: its own session.
            owner = current_app._get_current_object() if has_app_context() else app
            with owner.app_context():
                return self.run(*args, **kwargs)

    celery.Task = AppContextTask
    celery.flask_app = app  # signal handlers (the worker's first heartbeat) need it
    app.extensions["celery"] = celery
    return celery


def delay(task_name: str, *args):
    """Queue a registered task by its name (in-process at once without REDIS_URL), so a
    service queues work without importing the module that defines the task."""
    return celery.tasks[task_name].delay(*args)


def add_beat(name: str, task_name: str, every: float) -> None:
    """A periodic task for `celery -A app.worker beat` (every `every` seconds)."""
    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        name: {"task": task_name, "schedule": every},
    }
