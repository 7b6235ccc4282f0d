"""Background work: one Celery app, configured from REDIS_URL.

Without REDIS_URL (the embedded default and the tests) tasks run in-process, at once,
so every feature works on a laptop; in production a worker runs
`celery -A app.worker worker`.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

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
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.Task = AppContextTask
    app.extensions["celery"] = celery
    return celery


@celery.task(name="portal.ping")
def ping() -> str:
    """Health check of the worker (and of eager mode in tests)."""
    return "pong"


# --- Mail (app.services.mail): the outbox's sender and its safety net. ---
MAIL_MAX_RETRIES = 8  # 1, 2, 4 … 128 minutes: about four hours of retries per mail
MAIL_FLUSH_EVERY = 300.0  # seconds; `celery -A app.worker beat` runs the flush this often


@celery.task(name="portal.send_mail", bind=True, max_retries=MAIL_MAX_RETRIES,
             ignore_result=True)
def send_mail(self, mail_id: int) -> str:
    """Send one outbox mail. Idempotent: a mail already sent (or being sent) is skipped.
    On a real worker an SMTP failure is retried with exponential backoff; in-process
    (no REDIS_URL) the mail simply stays pending for `portal.flush_mails`."""
    from .models.mail import MailState
    from .services.mail import deliver

    outcome = deliver(mail_id)
    can_retry = not self.request.is_eager and self.request.retries < self.max_retries
    if outcome.status == MailState.pending and can_retry:
        raise self.retry(countdown=outcome.retry_in)
    return str(outcome.status)


@celery.task(name="portal.flush_mails")
def flush_mails() -> int:
    """Send every pending mail whose backoff has elapsed (delivery after an SMTP outage)."""
    from .services.mail import flush_pending_mails

    return flush_pending_mails()


@celery.task(name="portal.gdpr_retention")
def gdpr_retention() -> int:
    """Anonymise the families inactive for 3 years (app.services.gdpr.retention)."""
    from .services.gdpr import run_retention

    return len(run_retention().anonymised)


GDPR_RETENTION_EVERY = 24 * 3600.0  # seconds: once a day

celery.conf.beat_schedule = {
    **(celery.conf.beat_schedule or {}),
    "portal-flush-mails": {"task": "portal.flush_mails", "schedule": MAIL_FLUSH_EVERY},
    "portal-gdpr-retention": {"task": "portal.gdpr_retention",
                              "schedule": GDPR_RETENTION_EVERY},
}


@celery.task(name="portal.request_reset")
def request_reset(address: str | None, base_url: str | None = None) -> None:
    """« Mot de passe oublié », after the answer (the same answer for any address). On a
    worker, links need the portal's address: PORTAL_BASE_URL, else the page's."""
    from flask import has_request_context

    from .services.accounts import request_reset as reset

    if has_request_context():
        reset(address)
        return
    from flask import current_app

    with current_app.test_request_context("/", base_url=base_url or "http://localhost/"):
        reset(address)


from .services.api_particulier import tasks as _qf_tasks  # noqa: E402,F401  (registers them)
from .services.menus import tasks as _menu_tasks  # noqa: E402,F401  (orders, allergen alerts)
from .services.payments import tasks as _payment_tasks  # noqa: E402,F401  (registers them)
