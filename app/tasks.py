"""Every Celery task of the portal, registered here and nowhere else (the app imports this
module when it starts; a worker imports it through `app.worker`):

- `portal.ping`: health check of the worker;
- `portal.heartbeat` (beat, and when a worker starts): the worker heartbeat `/sante` reads;
- `portal.send_mail`, `portal.flush_mails` (beat): `app.services.mail_tasks`;
- `portal.billing_run`: `app.services.billing.tasks`;
- `portal.pdf_chunk` (issued PDFs, a chunk per task): `app.services.billing.pdf_tasks`;
- `portal.job` (any background job with progress, app.models.Job): `app.services.jobs.tasks`
  (the families' import runs as one: `app.services.family_import.jobs`);
- `portal.dispatch_queued_jobs` (beat): the jobs whose dispatch was lost, handed out
  again: `app.services.jobs.tasks`;
- `portal.purge_exports` (beat): the export jobs' old files, `app.services.exports.tasks`;
- `portal.qf_batch`, `portal.qf_batch_yearly` (beat): `app.services.api_particulier.tasks`;
- the menus' caterer orders and allergen alerts (beat): `app.services.menus.tasks`;
- `portal.gdpr_retention` (beat, daily): below;
- `portal.request_reset` (« Mot de passe oublié », after the answer): below;
- `portal.payments.tax_certificates`, `portal.payments.reminders`, `portal.payments.poll`
  (beat): `app.services.payments.tasks`.

Services queue a task by name with `app.celery_app.delay` or call the launcher of their
own domain's tasks module; they never import this module.
"""

from __future__ import annotations

import logging

from celery.signals import worker_ready

from .celery_app import add_beat, celery, init_celery
from .services import mail_tasks
from .services.api_particulier import tasks as qf_tasks
from .services.billing import pdf_tasks
from .services.billing import tasks as billing_tasks
from .services.exports import tasks as export_tasks
from .services.health import HEARTBEAT_EVERY, beat
from .services.jobs import tasks as job_tasks
from .services.mail_tasks import MAIL_FLUSH_EVERY, MAIL_MAX_RETRIES, flush_mails, send_mail
from .services.menus import tasks as menu_tasks
from .services.payments import tasks as payment_tasks

__all__ = [
    "MAIL_FLUSH_EVERY", "MAIL_MAX_RETRIES", "billing_tasks", "celery", "export_tasks",
    "flush_mails", "gdpr_retention", "init_celery", "job_tasks", "mail_tasks", "menu_tasks",
    "pdf_tasks",
    "payment_tasks", "ping",
    "qf_tasks", "request_reset", "send_mail",
]


@celery.task(name="portal.ping")
def ping() -> str:
    """Health check of the worker (and of eager mode in tests)."""
    return "pong"


@celery.task(name="portal.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """The worker is alive: `/sante` (app.services.health) checks its age."""
    from .services.health import beat

    beat()


add_beat("portal-heartbeat", "portal.heartbeat", HEARTBEAT_EVERY)


@worker_ready.connect
def _first_heartbeat(sender=None, **_kwargs) -> None:
    """A starting worker is healthy at once, not after the first beat."""
    try:
        with celery.flask_app.app_context():
            beat()
    except Exception:  # never keep a worker from starting
        logging.getLogger(__name__).exception("Heartbeat initial impossible")


@celery.task(name="portal.gdpr_retention")
def gdpr_retention() -> int:
    """Anonymise the families inactive for 3 years (app.services.gdpr.retention)."""
    from .services.gdpr import run_retention

    return len(run_retention().anonymised)


GDPR_RETENTION_EVERY = 24 * 3600.0  # seconds: once a day
add_beat("portal-gdpr-retention", "portal.gdpr_retention", GDPR_RETENTION_EVERY)


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
