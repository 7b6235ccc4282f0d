"""« Mot de passe oublié »: the same answer for a known and an unknown address; a known
parent's address gets a single-use link by mail (never a password); the form is rate
limited."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from lxml import html as lxml_html

from app import create_app
from app.extensions import db
from app.models import AccountToken, User
from app.security.roles import PARENT
from app.tasks import init_celery
from tests import factories as f

FORGOT = "/compte/mot-de-passe-oublie"
NEW_PASSWORD = "Un-Nouveau-Secret-Sur-2026"
LINK = re.compile(r"/compte/mot-de-passe/[A-Za-z0-9_\-]+")


def _forgot(client, email: str):
    """Post the form, then wait for the work done after the answer (app.background)."""
    response = client.post(FORGOT, data={"email": email})
    client.application.extensions["portal_background"].wait()
    return response


def _answer(client, email: str) -> tuple[int, str, str]:
    response = _forgot(client, email)
    page = client.get(response.headers["Location"])
    # The CSP nonce differs on every response by design.
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', page.get_data(as_text=True))
    return response.status_code, response.headers["Location"], body


def _login(app, username: str, password: str) -> bool:
    client = app.test_client()
    client.post("/login/", data={"username": username, "password": password})
    return client.get("/famille/").status_code == 200


def test_the_login_page_links_to_the_forgotten_password_form(client):
    doc = lxml_html.document_fromstring(client.get("/login/").get_data(as_text=True))
    [link] = [a for a in doc.xpath("//a") if a.text_content().strip() == "Mot de passe oublié ?"]
    assert link.get("href") == FORGOT
    page = client.get(FORGOT).get_data(as_text=True)
    assert 'autocomplete="email"' in page and "Recevoir un lien" in page


def test_known_and_unknown_addresses_get_the_same_answer(app, client, world, smtp_server):
    known = _answer(client, "martin@example.org")
    unknown = _answer(app.test_client(), "personne@example.org")
    malformed = _answer(app.test_client(), "pas une adresse")

    assert known == unknown == malformed
    assert known[0] == 303
    assert "Si cette adresse correspond à un accès" in known[2]
    assert smtp_server.recipients() == ["martin@example.org"]


def test_the_reset_link_sets_a_new_password_once(app, client, world, smtp_server):
    _forgot(client, "  MARTIN@example.org ")
    [message] = smtp_server.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "Choisir un nouveau mot de passe"
    assert "identifiant : martin" in text
    assert "votre mot de passe actuel reste valable" in text
    assert f.PASSWORD not in text
    link = LINK.search(text).group(0)

    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}) \
        .status_code == 303
    assert _login(app, "martin", NEW_PASSWORD)
    assert not _login(app, "martin", f.PASSWORD)
    assert client.get(link).status_code == 410


def test_a_second_request_right_away_sends_no_second_mail(app, client, world, smtp_server):
    _forgot(client, "martin@example.org")
    _forgot(client, "martin@example.org")
    assert len(smtp_server.envelopes) == 1


def test_a_staff_address_gets_nothing(app, client, world, smtp_server):
    assert _answer(client, "agent@example.org")[0] == 303
    assert smtp_server.envelopes == []
    with app.app_context():
        assert db.session.query(AccountToken).count() == 0


def test_a_new_reset_link_voids_the_invitation_link(app, world, smtp_server):
    from app.models import Guardian
    from app.services.accounts import invite, request_reset

    with app.test_request_context():
        guardian = db.session.query(Guardian).join(User, User.id == Guardian.user_id) \
            .filter(User.username == "martin").one()
        invite(guardian)
        db.session.commit()
        request_reset("martin@example.org")
    invitation, reset = (LINK.search(m.get_body(preferencelist=("plain",)).get_content())
                         .group(0) for m in smtp_server.messages)
    client = app.test_client()
    assert client.get(invitation).status_code == 410
    assert client.get(reset).status_code == 200


# --- rate limit: on a development app (the testing config turns Flask-Limiter off) ---------


@pytest.fixture(scope="module")
def limited_app(app, tmp_path_factory):
    db_file: Path = tmp_path_factory.mktemp("reset-limit") / "limit.db"
    other = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}",
                       REDIS_URL="", RATELIMIT_STORAGE_URI="memory://", MAIL_SUPPRESS_SEND=True,
                       MAIL_OUTBOX_DIR=str(db_file.parent), WTF_CSRF_ENABLED=False,
                       PORTAL_ACCOUNT_RATE_LIMIT="3 per minute")
    init_celery(app)  # create_app rebinds the shared Celery app: hand it back
    with other.app_context():
        upgrade()
        other.appbuilder.sm.create_roles()
        f.user("parentlimite", PARENT)
        db.session.remove()
    return other


def test_the_forgotten_password_form_is_rate_limited(limited_app):
    limiter = limited_app.appbuilder.sm.limiter
    limiter.reset()
    client = limited_app.test_client()
    codes = [client.post(FORGOT, data={"email": f"x{i}@example.org"}).status_code
             for i in range(3)]
    blocked = _forgot(client, "parentlimite@example.org")
    guesses = [client.post("/compte/mot-de-passe/jeton-devine", data={"password": "x"})
               .status_code for _ in range(4)]
    reading = client.get(FORGOT).status_code
    limiter.reset()
    assert codes == [303, 303, 303]
    assert blocked.status_code == 429
    assert "Trop de tentatives" in html.unescape(blocked.get_data(as_text=True))
    assert guesses == [410, 410, 410, 429]  # guessing links is limited too
    assert reading == 200  # reading the form is not limited
