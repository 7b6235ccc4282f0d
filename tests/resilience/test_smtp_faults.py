"""SMTP down or hung during staff decisions: every decision is saved and answered, every
mail is sent once the relay is back (the periodic flush), exactly once. A real SMTP server
process of our own, stopped, started and frozen."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from app.extensions import db
from app.models import OutgoingMail, Request, RequestState
from app.models.base import utcnow
from app.models.mail import MailState
from app.services.mail import flush_pending_mails
from tests.staff.data import NOW, late_request, queue_town, staff_client

LATER = 3 * 3600  # seconds: past the backoff of the first attempts
QUEUE = "/gestion/file-des-demandes/action_post"


@pytest.fixture
def decisions(app, monkeypatch):
    """Two families with a late request each, and a logged-in agent."""
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
    with app.test_request_context():
        _school, canteen, families = queue_town()
        return [late_request(family, family.children[0], canteen).id for family in families]


@pytest.mark.parametrize("fault", ["down", "hung"])
def test_smtp_fault_saves_every_decision_and_mails_them_all_later(app, client, decisions,
                                                                  mail_relay, fault):
    staff_client(client)
    mail_relay.stop() if fault == "down" else mail_relay.freeze()
    for request_id in decisions:
        started = time.monotonic()
        response = client.post(QUEUE, data={"action": "validate", "rowid": [request_id]})
        assert response.status_code == 303
        assert time.monotonic() - started < 6, "the decision waited on the mail relay"

    with app.app_context():
        states = [db.session.get(Request, i).state for i in decisions]
        assert states == [RequestState.validated] * 2
        mails = db.session.query(OutgoingMail).all()
        assert [m.state for m in mails] == [MailState.pending] * 2
    assert mail_relay.recipients() == []

    mail_relay.start() if fault == "down" else mail_relay.resume()
    with app.app_context():
        assert flush_pending_mails(now=utcnow() + dt.timedelta(seconds=LATER)) == 2
        assert flush_pending_mails(now=utcnow() + dt.timedelta(seconds=LATER)) == 0
    assert mail_relay.recipients() == ["parent0@example.org", "parent1@example.org"]
