"""Logs never hold passwords, link tokens or health data: a whole journey (forgotten
password, new password through the mailed link, failed and good logins, a health change
validated by staff) with every logger captured at DEBUG, then the log text is scanned."""

from __future__ import annotations

import logging
import re

import pytest

from app.extensions import db
from app.models import OutgoingMail, Request
from app.security.roles import AGENT
from tests import factories as f
from tests.staff.data import NOW

NEW_PASSWORD = "Nouveau-Secret-Tres-Long-2026"
WRONG_PASSWORD = "Mauvais-Secret-Devine-2026"
HEALTH = ("Allergie-Arachide-Secrete", "Ventoline-Secrete", "Asthme-Secret")
LINK = re.compile(r"/compte/mot-de-passe/([A-Za-z0-9_\-]{20,})")


@pytest.fixture(autouse=True)
def clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())


def test_a_journey_leaves_no_secret_and_no_health_data_in_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        family = f.family("Journal", f.school(), username="parent.journal")
        child_id, email = family.children[0].id, family.guardians[0].email
        f.user("agent.journal", AGENT)

    client.post("/compte/mot-de-passe-oublie", data={"email": email})
    app.extensions["portal_background"].wait()  # the mail is written after the answer
    with app.app_context():
        body = db.session.query(OutgoingMail).one().body_text
    token = LINK.search(body)[1]
    # The dev server's and gunicorn's access logs carry the request line with the token.
    logging.getLogger("werkzeug").info('127.0.0.1 - - "%s" %s -',
                                       f"GET /compte/mot-de-passe/{token} HTTP/1.1", 200)
    logging.getLogger("gunicorn.access").info(
        '127.0.0.1 "GET /compte/mot-de-passe/%s HTTP/1.1" 200', token)
    client.get(f"/compte/mot-de-passe/{token}")
    chosen = client.post(f"/compte/mot-de-passe/{token}",
                         data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 303

    client.post("/login/", data={"username": "parent.journal", "password": WRONG_PASSWORD})
    f.login(client, "parent.journal", NEW_PASSWORD)
    sent = client.post("/famille/compte/sante", data={
        "child": child_id, "diet": "standard", "allergies": HEALTH[0], "has_pai": "1",
        "pai_details": HEALTH[1], "medical_notes": HEALTH[2]})
    assert sent.status_code in (302, 303)
    client.get("/logout/")

    f.login(client, "agent.journal")
    with app.app_context():
        request_id = db.session.query(Request).one().id
    decided = client.post("/gestion/file-des-demandes/action_post",
                          data={"action": "validate", "rowid": [request_id]})
    assert decided.status_code == 303

    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n" + caplog.text
    assert caplog.records, "nothing was captured: the test would prove nothing"
    for secret in (NEW_PASSWORD, WRONG_PASSWORD, f.PASSWORD, token, *HEALTH):
        assert secret not in logged, f"{secret!r} is in the logs"
