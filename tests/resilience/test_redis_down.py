"""Finding 8 and the Redis faults: a real redis-server of our own, stopped or frozen.

With Redis down or hung, `/login/` and « Mot de passe oublié » still answer (rate limits are
counted in the process, with a logged warning), and a staff decision is saved and answered
quickly: its mail stays in the outbox and the flush sends it later.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
import redis
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import OutgoingMail, Request, RequestState
from app.models.mail import MailState
from app.security.roles import AGENT
from app.services.mail import flush_pending_mails
from app.tasks import celery, init_celery
from tests import factories as f
from tests.staff.data import NOW, late_request, queue_town, staff_client

pytestmark = pytest.mark.redis
ALLOWED = 3
QUICK = 10.0  # seconds: a dead Redis may cost a short timeout, never a hang


@pytest.fixture
def limited_app(app, tmp_path, redis_server):
    """The development configuration (rate limits on) counting in our Redis."""
    dev = create_app(
        "development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limits.db'}",
        REDIS_URL="", RATELIMIT_STORAGE_URI=redis_server.url(), MAIL_SUPPRESS_SEND=True,
        MAIL_OUTBOX_DIR=str(tmp_path / "mails"), WTF_CSRF_ENABLED=False,
        AUTH_RATE_LIMIT=f"{ALLOWED} per minute",
        PORTAL_ACCOUNT_RATE_LIMIT=f"{ALLOWED} per minute", PORTAL_BROKER_TIMEOUT=1)
    init_celery(app)  # create_app rebinds the shared Celery app: give it back
    with dev.app_context():
        upgrade()
        dev.appbuilder.sm.create_roles()
        f.user("agent", AGENT)
        db.session.remove()
    return dev


def _posts(client, path: str, data: dict, count: int) -> list[int]:
    return [client.post(path, data=data).status_code for _ in range(count)]


LOGIN = ("/login/", {"username": "agent", "password": "mauvais"})
FORGOT = ("/compte/mot-de-passe-oublie", {"email": "inconnu@example.org"})


@pytest.mark.parametrize(("path", "data"), [LOGIN, FORGOT], ids=["login", "forgot"])
def test_with_redis_stopped_the_page_answers_and_still_limits(limited_app, redis_server,
                                                              caplog, path, data):
    client = limited_app.test_client()
    codes = _posts(client, path, data, ALLOWED + 1)
    assert codes[-1] == 429 and 429 not in codes[:-1], codes
    assert redis.Redis.from_url(redis_server.url()).keys("*"), "counted in Redis while up"

    redis_server.stop()
    caplog.set_level(logging.WARNING)
    other = limited_app.test_client()
    codes = _posts(other, path, data, ALLOWED + 1)
    assert not [code for code in codes if code >= 500], codes
    assert codes[-1] == 429 and 429 not in codes[:-1], "counted in the process meanwhile"
    assert "in-memory" in caplog.text or "mémoire" in caplog.text


def _in_time(call):
    """`call()` in a thread: a hang must fail the test, not block the suite."""
    answer: dict = {}
    worker = threading.Thread(target=lambda: answer.update(response=call()), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(timeout=60)
    elapsed = time.monotonic() - started
    assert "response" in answer, "the request hangs on the unreachable Redis"
    return answer["response"], elapsed


def test_with_redis_hung_login_answers_within_the_timeout(limited_app, redis_server):
    client = limited_app.test_client()
    redis_server.freeze()
    response, elapsed = _in_time(lambda: client.post(LOGIN[0], data=LOGIN[1]))
    assert response.status_code < 500
    assert elapsed < QUICK, f"the login took {elapsed:.1f} s"


@pytest.fixture
def broker(app, redis_server, monkeypatch):
    """The test app publishing its tasks to our Redis (no in-process tasks), as in
    production; restored afterwards."""
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url())
    monkeypatch.setitem(app.config, "PORTAL_BROKER_TIMEOUT", 1)
    init_celery(app)
    _fresh_connections()
    assert not celery.conf.task_always_eager
    try:
        yield redis_server
    finally:
        app.config["REDIS_URL"] = ""
        init_celery(app)
        _fresh_connections()


def _fresh_connections() -> None:
    """Celery caches its broker pool and result backend: drop them when the broker changes
    (else this test would publish to the previous broker, and later ones to ours)."""
    if celery._pool is not None:
        celery._pool.force_close_all()
        celery._pool = None
    celery.amqp._producer_pool = None
    celery._backend_cache = None
    celery._local.__dict__.pop("backend", None)


def _decide_in_time(client, request_id: int):
    return _in_time(lambda: client.post("/gestion/file-des-demandes/action_post",
                                        data={"action": "validate", "rowid": [request_id]}))


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_with_the_broker_down_a_staff_decision_is_saved_and_its_mail_sent_later(
        app, client, broker, smtp_server, fault):
    with app.test_request_context():
        _school, canteen, (family, _other) = queue_town()
        request_id = late_request(family, family.children[0], canteen).id
    staff_client(client)
    broker.stop() if fault == "stopped" else broker.freeze()

    response, elapsed = _decide_in_time(client, request_id)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert elapsed < QUICK, f"the decision took {elapsed:.1f} s"
    with app.app_context():
        assert db.session.get(Request, request_id).state == RequestState.validated
        mail = db.session.query(OutgoingMail).one()
        assert mail.state == MailState.pending
        assert smtp_server.envelopes == []
        assert flush_pending_mails() == 1  # the periodic flush, with Redis still down
    assert smtp_server.recipients() == ["parent0@example.org"]
