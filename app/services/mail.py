"""Mail: a transactional outbox, sent by background work.

`queue_mail()` renders a French text + HTML mail and adds an `OutgoingMail` row to the
caller's session without committing: the mail exists if and only if the action commits.
After the commit, the Celery task `portal.send_mail` is enqueued (in-process without
REDIS_URL). A failing SMTP server never raises into the action: the row stays pending with
its error, the worker retries with exponential backoff, and `flush_pending_mails()` (the
periodic `portal.flush_mails` task, or `flask portal mail-flush` from cron) delivers
whatever is left once the server is back.

Exactly-once sending: a sender first claims the row with one conditional UPDATE (pending and
not leased), so a duplicate task or a concurrent flush sends nothing twice. A sender that
dies mid-send loses its lease after `LEASE`, and the mail is sent again (at-least-once; the
stable Message-ID lets the receiving side spot the duplicate).

Development (MAIL_SUPPRESS_SEND): nothing reaches an SMTP server; each mail is written as
an .eml file in MAIL_OUTBOX_DIR (default instance/mails/, not under TESTING) and logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.utils import make_msgid
from pathlib import Path
from typing import NamedTuple

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_mail import Connection, Message
from jinja2 import TemplateNotFound
from sqlalchemy import event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from ..celery_app import delay
from ..extensions import db, mail
from ..models.base import utcnow
from ..models.mail import MailState, OutgoingMail
from .town import service_contacts

__all__ = [
    "Delivery",
    "deliver",
    "flush_pending_mails",
    "mail_flush_command",
    "deliver_many",
    "queue_mail",
    "render_mail",
    "retry_delay",
]

log = logging.getLogger(__name__)

_SESSION_KEY = "portal_outgoing_mails"
BATCH_KEY = "portal_outgoing_mail_batch"  # ids of mails queued in bulk (queue_mails)
MAIL_BATCH = 200  # mails per worker task
LEASE = dt.timedelta(minutes=10)  # far above any SMTP exchange (MAIL_TIMEOUT per operation)
DEFAULT_MAX_ATTEMPTS = 20  # with the backoff below: about a day and a half of outage
DEFAULT_RETRY_BASE = 60  # seconds; doubles at each attempt…
RETRY_CAP = 2 * 3600  # …up to two hours between attempts
DEFAULT_TIMEOUT = 30  # seconds per SMTP operation


class Delivery(NamedTuple):
    """What one send attempt did: status is sent, pending (will retry), failed or skipped."""

    status: str
    attempts: int = 0
    retry_in: int = 0


# --- queueing, in the caller's transaction ------------------------------------------------


def queue_mail(
    to: str | None,
    subject: str,
    template: str,
    *,
    family_id: int | None = None,
    kind: str | None = None,
    **context,
) -> OutgoingMail | None:
    """Add a mail to the current transaction (not committed). It is sent after the commit;
    nothing is sent if the transaction rolls back. `subject` may be a lazy_gettext string:
    it is rendered in French, like the templates mail/<template>.txt and .html."""
    if not to:
        log.warning("Mail « %s » sans destinataire : non envoyé.", subject)
        return None
    with force_locale("fr"):
        # One line (a newline would be a header injection), within the column's size.
        subject = " ".join(str(subject).split())[:255]
        text, html = render_mail(template, subject=subject, **context)
    row = OutgoingMail(
        recipient=to.strip(),
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=_message_id(),
        kind=kind or template,
        family_id=family_id,
        state=MailState.pending,
        attempts=0,
    )
    db.session.add(row)
    db.session.info.setdefault(_SESSION_KEY, []).append(row)
    return row


def render_mail(template: str, **context) -> tuple[str, str | None]:
    """Text and HTML (None when mail/<template>.html does not exist) of a mail."""
    env = current_app.jinja_env
    context.setdefault("portal", _portal())
    text = env.get_template(f"mail/{template}.txt").render(context).strip() + "\n"
    try:
        html = env.get_template(f"mail/{template}.html").render(context)
    except TemplateNotFound:
        html = None
    return text, html


def _portal() -> dict:
    """The town and the service's contacts, as in the site's footer."""
    return service_contacts()


def new_message_id() -> str:
    return _message_id()


def _message_id() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    address = sender[1] if isinstance(sender, tuple) else sender
    domain = address.rsplit("@", 1)[-1].strip(" >") if "@" in address else "portail.local"
    return make_msgid(domain=domain)


def _after_commit(session: Session) -> None:
    batch = session.info.pop(BATCH_KEY, None)
    if batch:
        _send_later(batch)
    rows = session.info.pop(_SESSION_KEY, None)
    if not rows:
        return
    # The identity is kept on expired objects: reading it needs no SQL (none allowed here).
    ids = [state.identity[0] for state in map(inspect, rows) if state.identity]
    for mail_id in ids:
        _enqueue(mail_id)


def _after_transaction_end(session: Session, transaction) -> None:
    """A rolled-back or closed transaction leaves no mail to send."""
    if transaction.parent is None:
        session.info.pop(_SESSION_KEY, None)
        session.info.pop(BATCH_KEY, None)


def _enqueue(mail_id: int) -> None:
    """Never raises: the action has committed and its mail is safe in the outbox."""
    try:
        delay("portal.send_mail", mail_id)  # app.services.mail_tasks
    except Exception:  # broker down, or a bug in eager mode: the flush will deliver it
        log.exception("Mail %s : mise en file impossible, il sera envoyé plus tard.", mail_id)


def _send_later(ids: list[int]) -> None:
    """Mails queued in bulk: batches of `MAIL_BATCH` for the workers (`portal.send_mails`);
    without a broker, a thread of this process sends them after the answer. Never raises:
    whatever is not sent stays pending for the periodic flush."""
    celery = current_app.extensions.get("celery")
    batches = [ids[i:i + MAIL_BATCH] for i in range(0, len(ids), MAIL_BATCH)]
    try:
        if celery is not None and not celery.conf.task_always_eager:
            for batch in batches:
                delay("portal.send_mails", batch)
            return
        background = current_app.extensions.get("portal_background")
        if background is not None:
            background.submit(deliver_many, ids)
    except Exception:
        log.exception("Mails en lot : mise en file impossible, ils seront envoyés plus tard.")


def deliver_many(ids: list[int]) -> int:
    """Send a batch of outbox mails (each claimed on its own: never twice)."""
    return sum(deliver(mail_id).status == MailState.sent for mail_id in ids)


if not event.contains(Session, "after_commit", _after_commit):
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)


# --- sending ------------------------------------------------------------------------------


def _config(name: str, default):
    return current_app.config.get(name) or default


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt (exponential, capped)."""
    base = int(_config("MAIL_RETRY_BASE", DEFAULT_RETRY_BASE))
    return min(base * 2 ** max(attempts - 1, 0), RETRY_CAP)


def deliver(mail_id: int) -> Delivery:
    """One attempt to send a mail; records the outcome. Never raises for a send failure."""
    with Session(db.engine) as session:
        if not _claim(session, mail_id):
            return Delivery("skipped")
        row = session.get(OutgoingMail, mail_id)
        try:
            _send(row)
        except Exception as exc:  # SMTP down, refused, timeout… the mail stays in the outbox
            return _record_failure(session, row, exc)
        _finish(session, mail_id, state=MailState.sent, sent_at=utcnow(), last_error=None)
        return Delivery("sent", row.attempts)


def _claim(session: Session, mail_id: int) -> bool:
    """Take the lease on a pending mail (one atomic UPDATE, also on SQLite): only one
    sender wins, a mail already sent or being sent is left alone."""
    now = utcnow()
    result = session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.state == MailState.pending,
            or_(OutgoingMail.locked_until.is_(None), OutgoingMail.locked_until < now),
        )
        .values(locked_until=now + LEASE, attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _finish(session: Session, mail_id: int, **values) -> None:
    # Core UPDATE, not a flush: the audit log records staff edits, not the outbox's work.
    session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id)
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record_failure(session: Session, row: OutgoingMail, exc: Exception) -> Delivery:
    attempts = row.attempts
    give_up = _is_permanent(exc) or attempts >= int(
        _config("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    )
    delay = retry_delay(attempts)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    _finish(
        session,
        row.id,
        state=MailState.failed if give_up else MailState.pending,
        last_error=error,
        next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
    )
    log.warning("Mail %s à %s non envoyé (essai %s) : %s", row.id, row.recipient, attempts, error)
    return Delivery(MailState.failed if give_up else MailState.pending, attempts, delay)


def _is_permanent(exc: Exception) -> bool:
    """A 5xx refusal of every recipient will not get better by retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return False


def _message(row: OutgoingMail) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
        reply_to=_portal()["email"],
        charset="utf-8",
    )
    message.msgId = row.message_id
    _attach(row, message)
    return message


def _attach(row: OutgoingMail, message: Message) -> None:
    """Files stored with the mail (MailAttachment rows), e.g. the caterer's order."""
    from ..models.mail import MailAttachment

    session = inspect(row).session or db.session
    for file in session.query(MailAttachment).filter_by(mail_id=row.id).order_by(
            MailAttachment.id):
        message.attach(file.filename, file.mimetype, file.content)


def _send(row: OutgoingMail) -> None:
    # Settings are read at send time (not frozen at create_app) through Flask-Mail itself.
    state = mail.init_mail(current_app.config, current_app.debug, current_app.testing)
    message = _message(row)
    with _TimedConnection(state) as connection:
        message.send(connection)  # also emits Flask-Mail's email_dispatched signal
    if state.suppress:
        _write_eml(row, message)


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a hung SMTP server costs seconds."""

    def configure_host(self) -> smtplib.SMTP:
        settings = self.mail
        timeout = float(_config("MAIL_TIMEOUT", DEFAULT_TIMEOUT))
        smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = smtp_class(settings.server, settings.port, timeout=timeout)
        host.set_debuglevel(int(settings.debug))
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host


def _write_eml(row: OutgoingMail, message: Message) -> None:
    folder = current_app.config.get("MAIL_OUTBOX_DIR")
    if not folder and current_app.testing:
        return
    path = Path(folder or Path(current_app.instance_path) / "mails")
    path.mkdir(parents=True, exist_ok=True)
    file = path / f"{utcnow():%Y%m%d-%H%M%S}-{row.id}.eml"
    file.write_bytes(message.as_bytes())
    log.info("Mail « %s » pour %s écrit dans %s (envoi désactivé).", row.subject,
             row.recipient, file)


# --- the outbox's safety net ---------------------------------------------------------------


def flush_pending_mails(limit: int = 200, now: dt.datetime | None = None,
                        force: bool = False) -> int:
    """Send the pending mails whose backoff has elapsed (all of them with `force`), oldest
    first. Returns how many were sent. Run periodically: it is what delivers every mail
    after an SMTP outage."""
    now = now or utcnow()
    max_attempts = int(_config("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    query = select(OutgoingMail.id).where(
        OutgoingMail.state == MailState.pending, OutgoingMail.attempts < max_attempts
    )
    if not force:
        query = query.where(
            or_(OutgoingMail.next_attempt_at.is_(None), OutgoingMail.next_attempt_at <= now)
        )
    with Session(db.engine) as session:
        ids = session.scalars(query.order_by(OutgoingMail.id).limit(limit)).all()
    return sum(deliver(mail_id).status == MailState.sent for mail_id in ids)


@click.command("mail-flush")
@click.option("--limit", default=200, show_default=True, help="Nombre maximal de mails.")
@click.option("--now", "force", is_flag=True,
              help="Ne pas attendre la fin du délai entre deux essais (après une panne réparée).")
@with_appcontext
def mail_flush_command(limit: int, force: bool) -> None:
    """Envoyer les mails en attente (à lancer périodiquement, par exemple toutes les 5 min)."""
    sent = flush_pending_mails(limit=limit, force=force)
    pending = db.session.scalar(
        select(func.count(OutgoingMail.id)).where(OutgoingMail.state == MailState.pending)
    )
    click.echo(f"Mails envoyés : {sent} ; encore en attente : {pending}.")
