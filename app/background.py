"""Work done after the answer, in-process: for actions whose duration must not show in the
response (the forgotten-password page must answer a known and an unknown address alike).

With a Celery broker (REDIS_URL) the task is published and a worker runs it; without one, or
when publishing fails, a daemon thread of this process runs it in a request context built on
the portal's public address (mailed links need `url_for`). `wait()` joins the threads (tests,
shutdown).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)


class Background:
    def __init__(self, app: Flask):
        self.app = app
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        app.extensions["portal_background"] = self

    def submit(self, func: Callable, *args, base_url: str | None = None) -> None:
        thread = threading.Thread(target=self._run, args=(func, args, base_url), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, func: Callable, args: tuple, base_url: str | None) -> None:
        from .extensions import db

        with self.app.test_request_context("/", base_url=base_url or "http://localhost/"):
            try:
                func(*args)
            except Exception:
                log.exception("Tâche en arrière-plan %s en échec", getattr(func, "__name__", func))
            finally:
                db.session.remove()

    def wait(self, timeout: float = 30.0) -> None:
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)


def run_later(task, *args, base_url: str | None = None) -> None:
    """Run a Celery task after the answer: on a worker if there is a broker, else here in a
    thread. Never raises and never waits for the work itself."""
    from flask import current_app

    celery = current_app.extensions.get("celery")
    if celery is not None and not celery.conf.task_always_eager:
        try:
            task.apply_async(args=[*args, base_url])
            return
        except Exception:  # broker down: do it here rather than not at all
            log.warning("Broker injoignable : %s exécutée dans ce processus.", task.name)
    current_app.extensions["portal_background"].submit(task.run, *args, base_url,
                                                       base_url=base_url)
