"""Mail as background work: the outbox's sender and its safety net (`app.services.mail`
queues a mail in the outbox; after the commit, `portal.send_mail` sends it)."""

from __future__ import annotations

from ..celery_app import add_beat, celery
from ..models.mail import MailState
from .mail import deliver, deliver_many, flush_pending_mails

MAIL_MAX_RETRIES = 8  # 1, 2, 4 … 128 minutes: about four hours of retries per mail
MAIL_FLUSH_EVERY = 300.0  # seconds; `celery -A app.worker beat` runs the flush this often


@celery.task(name="portal.send_mail", bind=True, max_retries=MAIL_MAX_RETRIES,
             ignore_result=True)
def send_mail(self, mail_id: int) -> str:
    """Send one outbox mail. Idempotent: a mail already sent (or being sent) is skipped.
    On a real worker an SMTP failure is retried with exponential backoff; in-process
    (no REDIS_URL) the mail simply stays pending for `portal.flush_mails`."""
    outcome = deliver(mail_id)
    can_retry = not self.request.is_eager and self.request.retries < self.max_retries
    if outcome.status == MailState.pending and can_retry:
        raise self.retry(countdown=outcome.retry_in)
    return str(outcome.status)


@celery.task(name="portal.send_mails", ignore_result=True)
def send_mails(mail_ids: list[int]) -> int:
    """Send a batch of mails queued in bulk (a billing run's); what fails stays pending
    for `portal.flush_mails`."""
    return deliver_many(mail_ids)


@celery.task(name="portal.flush_mails")
def flush_mails() -> int:
    """Send every pending mail whose backoff has elapsed (delivery after an SMTP outage)."""
    return flush_pending_mails()


add_beat("portal-flush-mails", "portal.flush_mails", MAIL_FLUSH_EVERY)
