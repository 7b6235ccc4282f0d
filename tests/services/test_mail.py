"""Mail outbox: the mail of an action is sent if and only if the action commits, through a
real SMTP server (aiosmtpd on loopback), and an SMTP outage never loses or blocks it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Family, MailState, OutgoingMail
from app.models.base import utcnow
from app.services.mail import deliver, flush_pending_mails, queue_mail, retry_delay
from app.tasks import MAIL_MAX_RETRIES, send_mail
from tests import factories

SUBJECT = "Votre demande a été validée"
MESSAGE = "Réservation du jeudi 12 mars à l'école Théodore Chalmel : accordée. Ça marche !"
LATER = dt.timedelta(hours=3)  # past any backoff of the first attempts


@pytest.fixture
def family(app_ctx):
    return factories.family("Lefèvre", factories.school("Théodore Chalmel"))


def _action(family: Family, to: str = "parent.lefevre@example.org") -> OutgoingMail:
    """A staff action (a note on the family) that mails the family, not yet committed."""
    family.notes = "Demande validée"
    return queue_mail(to, _l("Votre demande a été validée"), "alert", family_id=family.id,
                      kind="request_decision", title=SUBJECT, message=MESSAGE)


def _mails() -> list[OutgoingMail]:
    db.session.expire_all()
    return db.session.query(OutgoingMail).order_by(OutgoingMail.id).all()


@contextmanager
def _config(app, **values):
    saved = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def _part(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_a_committed_action_delivers_its_mail_in_french(app, family, smtp_server):
    _action(family)
    db.session.commit()

    assert smtp_server.recipients() == ["parent.lefevre@example.org"]
    [message] = smtp_server.messages
    assert message["Subject"] == SUBJECT
    assert message["Reply-To"] == "affaires.scolaires@ville-saint-pere.fr"
    text, html = _part(message, "plain"), _part(message, "html")
    for part in (text, html):
        assert "Ville de Saint-Père" in part  # the town's letterhead
        assert "02 99 58 81 17" in part  # the service's contacts
        assert "Théodore Chalmel" in part and "Ça marche" in part
    assert "l&#39;école" in html and "<script" not in html  # HTML-escaped, not raw text
    [mail] = _mails()
    assert (mail.state, mail.attempts, mail.kind, mail.family_id) == (
        MailState.sent, 1, "request_decision", family.id)
    assert mail.sent_at is not None and mail.last_error is None
    assert message["Message-ID"] == mail.message_id


def test_a_rolled_back_action_sends_nothing(app, family, smtp_server):
    _action(family)
    db.session.flush()  # the row was written, then the transaction fails
    db.session.rollback()
    # A later, unrelated commit must not send the forgotten mail either.
    factories.school("Sainte-Thérèse")

    assert _mails() == []
    assert smtp_server.envelopes == []
    assert db.session.get(Family, family.id).notes is None


def test_smtp_down_keeps_the_action_and_delivers_the_mail_once_it_is_back(
    app, family, smtp_server
):
    smtp_server.stop()
    _action(family)
    db.session.commit()  # no exception reaches the caller

    assert db.session.get(Family, family.id).notes == "Demande validée"
    [mail] = _mails()
    assert mail.state == MailState.pending and mail.attempts == 1
    assert "ConnectionRefused" in mail.last_error
    assert mail.next_attempt_at > utcnow()

    smtp_server.start()
    assert flush_pending_mails() == 0  # the backoff is respected
    assert smtp_server.envelopes == []

    assert flush_pending_mails(now=utcnow() + LATER) == 1
    assert flush_pending_mails(now=utcnow() + LATER) == 0
    [message] = smtp_server.messages
    assert message["Subject"] == SUBJECT and "Théodore Chalmel" in _part(message, "plain")
    [mail] = _mails()
    assert (mail.state, mail.attempts) == (MailState.sent, 2)


def test_a_duplicate_send_task_sends_nothing_twice(app, family, smtp_server):
    mail = _action(family)
    db.session.commit()
    assert send_mail.delay(mail.id).get() == "skipped"
    assert flush_pending_mails(force=True) == 0
    assert len(smtp_server.envelopes) == 1
    assert _mails()[0].attempts == 1


def test_two_senders_at_once_deliver_the_mail_once(app, family, smtp_server):
    smtp_server.stop()
    mail = _action(family)
    db.session.commit()
    mail_id = mail.id  # read once here: the threads must not share the test's session
    smtp_server.start()
    smtp_server.delay = 0.3  # the first sender is still talking to SMTP when the second starts
    start = threading.Barrier(2)
    outcomes = []

    def sender():
        with app.app_context():
            start.wait()
            outcomes.append(deliver(mail_id).status)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(smtp_server.envelopes) == 1


def test_a_mail_being_sent_by_another_worker_is_left_alone(app, family, smtp_server):
    smtp_server.stop()
    mail = _action(family)
    db.session.commit()
    smtp_server.start()
    leased = _mails()[0]
    leased.locked_until = utcnow() + dt.timedelta(minutes=5)  # another sender holds it
    db.session.commit()

    assert send_mail.delay(mail.id).get() == "skipped"
    assert flush_pending_mails(force=True) == 0
    assert smtp_server.envelopes == []


def test_a_hung_smtp_server_costs_the_action_only_the_timeout(app, family, smtp_server):
    with socket.socket() as silent:  # accepts connections, never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with _config(app, MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5):
            _action(family)
            started = time.monotonic()
            db.session.commit()
            elapsed = time.monotonic() - started

    assert elapsed < 3
    [mail] = _mails()
    assert mail.state == MailState.pending and "timed out" in mail.last_error


def test_a_mail_that_keeps_failing_is_given_up_after_max_attempts(app, family, smtp_server):
    smtp_server.stop()
    with _config(app, MAIL_MAX_ATTEMPTS=2):
        _action(family)
        db.session.commit()
        assert flush_pending_mails(force=True) == 0
        assert _mails()[0].state == MailState.failed
        smtp_server.start()
        assert flush_pending_mails(force=True) == 0  # no longer tried

    [mail] = _mails()
    assert (mail.state, mail.attempts) == (MailState.failed, 2)
    assert smtp_server.envelopes == []


def test_cli_mail_flush_sends_the_pending_mails_now(app, family, smtp_server):
    smtp_server.stop()
    _action(family)
    _action(family, to="autre.parent@example.org")
    db.session.commit()
    smtp_server.start()

    result = app.test_cli_runner().invoke(args=["portal", "mail-flush", "--now"])

    assert result.exit_code == 0, result.output
    assert "Mails envoyés : 2 ; encore en attente : 0." in result.output
    assert sorted(smtp_server.recipients()) == [
        "autre.parent@example.org", "parent.lefevre@example.org"]


def test_in_development_mails_are_written_to_a_folder_not_sent(
    app, family, smtp_server, tmp_path
):
    with _config(app, MAIL_SUPPRESS_SEND=True, MAIL_OUTBOX_DIR=str(tmp_path)):
        _action(family)
        db.session.commit()

    assert smtp_server.envelopes == []
    [file] = tmp_path.glob("*.eml")
    from email import message_from_bytes, policy

    message = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert "Théodore Chalmel" in _part(message, "plain")
    assert _mails()[0].state == MailState.sent


def test_a_mail_without_address_is_not_queued(app, family):
    assert _action(family, to="") is None
    db.session.commit()
    assert _mails() == []


def test_worker_retries_back_off_exponentially_over_hours(app_ctx):
    delays = [retry_delay(n) for n in range(1, MAIL_MAX_RETRIES + 1)]
    assert delays[:3] == [60, 120, 240]
    assert delays == sorted(delays) and max(delays) <= 2 * 3600
    assert sum(delays) >= 3 * 3600  # an outage of a few hours loses nothing


# --- Production path: enqueued through Redis after the commit, sent by a real worker. ---
_QUEUE_AND_COMMIT = """
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
from app.services.mail import queue_mail
from app.tasks import celery
app = create_app()
with app.app_context():
    upgrade()
    assert not celery.conf.task_always_eager
    queue_mail("worker@example.org", "Réservation confirmée", "alert", title="t", message="Élève")
    db.session.commit()
print("committed")
"""


def _worker_env(tmp_path, smtp_port: int) -> dict[str, str]:
    from tests.test_tasks import REDIS_URL, ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY", "FLASK_"))}
    env.update(REDIS_URL=REDIS_URL, PORTAL_ENV="development", PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}",
               RATELIMIT_STORAGE_URI="memory://", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(smtp_port), MAIL_SUPPRESS_SEND="0")
    return env


@pytest.mark.redis
def test_a_real_worker_delivers_the_mail_enqueued_after_commit(smtp_server, tmp_path):
    from tests.test_tasks import ROOT, _redis_or_skip

    _redis_or_skip()
    env, log = _worker_env(tmp_path, smtp_server.port), tmp_path / "worker.log"
    worker = subprocess.Popen(  # starts while the action below runs: both load the app
        [sys.executable, "-m", "celery", "-A", "app.worker", "worker", "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
         f"--logfile={log}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT)
    try:
        sent = subprocess.run([sys.executable, "-c", _QUEUE_AND_COMMIT], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr[-2000:]
        deadline = time.monotonic() + 30
        while not smtp_server.envelopes and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert smtp_server.recipients() == ["worker@example.org"], log.read_text()[-3000:]
    assert smtp_server.messages[0]["Subject"] == "Réservation confirmée"
