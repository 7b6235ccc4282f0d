"""Onboarding (domain rule 10): staff create a family and its guardians; each guardian gets a
French mail, through a real SMTP server, with a single-use link that expires, to choose
their own password. No password ever travels by mail; only a hash of the link is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import pytest

from app.extensions import db
from app.models import AccountToken, Family, Guardian, LoginState, OutgoingMail, User
from app.models.base import utcnow
from app.services import accounts
from app.services.mail import flush_pending_mails
from tests import factories as f

NEW_FAMILY = "/gestion/comptes/nouvelle-famille/"
PASSWORD = "trois-mots-au-hasard-2026"
LINK = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/[A-Za-z0-9_\-]+)")


def _form(**extra) -> dict:
    return {"name": "Famille Lebreton", "address": "3 rue des Écoles", "postal_code": "35430",
            "city": "Saint-Père", "g1_first_name": "Claire", "g1_last_name": "Lebreton",
            "g1_relationship_label": "mère", "g1_email": "Claire.Lebreton@example.org",
            "g2_first_name": "Hugo", "g2_last_name": "Lebreton", "g2_email": "hugo@example.org",
            "invite": "1", **extra}


@pytest.fixture
def agent(app, client, world):
    f.login(client, "agent")
    return client


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link(message) -> str:
    return LINK.search(_text(message)).group(1)


def _login(app, username: str, password: str) -> bool:
    client = app.test_client()
    client.post("/login/", data={"username": username, "password": password})
    return client.get("/famille/").status_code == 200


def test_staff_create_a_family_and_each_guardian_gets_a_french_invitation(
        app, agent, smtp_server):
    response = agent.post(NEW_FAMILY, data=_form())

    assert response.status_code == 303
    with app.app_context():
        family = db.session.query(Family).filter_by(name="Famille Lebreton").one()
        assert response.headers["Location"].endswith(f"/gestion/familles/show/{family.id}")
        assert re.fullmatch(r"F\d{5}", family.account_code)
        users = {g.first_name: g.user for g in family.guardians}
        assert users["Claire"].username == "claire.lebreton@example.org"
        assert [r.name for r in users["Claire"].roles] == ["Parent"]
    assert sorted(smtp_server.recipients()) == ["claire.lebreton@example.org",
                                                "hugo@example.org"]
    message = next(m for m in smtp_server.messages if "claire" in m["To"])
    text = _text(message)
    assert message["Subject"] == "Votre accès au portail famille"
    assert "Bonjour Claire," in text
    assert "Votre identifiant : claire.lebreton@example.org" in text
    assert "ne sert qu'une fois et expire le" in text
    assert "mot de passe" in text and PASSWORD not in text
    html_part = message.get_body(preferencelist=("html",)).get_content()
    assert _link(message) in html_part


def test_the_link_works_once_then_never_again(app, agent, smtp_server):
    agent.post(NEW_FAMILY, data=_form(g2_first_name="", g2_last_name="", g2_email=""))
    [message] = smtp_server.messages
    link = _link(message)
    assert not _login(app, "claire.lebreton@example.org", PASSWORD)  # no usable password yet

    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert "claire.lebreton@example.org" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    done = visitor.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login/")
    assert _login(app, "claire.lebreton@example.org", PASSWORD)

    for method in (visitor.get, visitor.post):
        again = method(link, data={"password": "un-autre-mot-de-passe", "confirm":
                                   "un-autre-mot-de-passe"})
        assert again.status_code == 410
        assert "Lien expiré ou déjà utilisé" in again.get_data(as_text=True)
    assert _login(app, "claire.lebreton@example.org", PASSWORD)


def test_the_link_no_longer_works_after_72_hours(app, agent, smtp_server, monkeypatch):
    agent.post(NEW_FAMILY, data=_form())
    link = _link(smtp_server.messages[0])
    assert app.test_client().get(link).status_code == 200

    later = utcnow() + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 410
    assert visitor.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 410
    monkeypatch.undo()
    assert not _login(app, smtp_server.messages[0]["To"].lower(), PASSWORD)


def test_only_a_hash_of_the_link_is_stored(app, agent, smtp_server):
    agent.post(NEW_FAMILY, data=_form())
    token = _link(smtp_server.messages[0]).rsplit("/", 1)[1]
    with app.app_context():
        hashes = [row.token_hash for row in db.session.query(AccountToken)]
        mails = " ".join(m.body_text + (m.body_html or "")
                         for m in db.session.query(OutgoingMail))
        users = db.session.query(User).all()
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes
    assert token in mails  # the link lives only in the mail
    assert all(u.password and u.password.startswith(("pbkdf2:", "scrypt:")) for u in users)


def test_resending_the_invitation_voids_the_previous_link(app, agent, smtp_server):
    agent.post(NEW_FAMILY, data=_form(g2_first_name="", g2_last_name="", g2_email=""))
    first = _link(smtp_server.messages[0])
    with app.app_context():
        guardian = db.session.query(Guardian).filter_by(first_name="Claire").one()
        guardian_id = guardian.id
    show = agent.get(f"/gestion/comptes/show/{guardian_id}").get_data(as_text=True)
    assert "Invitation envoyée, mot de passe pas encore choisi" in html.unescape(show)

    response = agent.post(f"/gestion/comptes/{guardian_id}/invitation")

    assert response.status_code == 303
    page = html.unescape(agent.get(response.headers["Location"]).get_data(as_text=True))
    assert "le lien précédent ne fonctionne plus" in page
    second = _link(smtp_server.messages[1])
    assert second != first
    visitor = app.test_client()
    assert visitor.get(first).status_code == 410
    assert visitor.post(second, data={"password": PASSWORD, "confirm": PASSWORD}).status_code \
        == 303
    show = agent.get(f"/gestion/comptes/show/{guardian_id}").get_data(as_text=True)
    assert "Compte actif" in show


def test_a_guardian_without_login_gets_one_with_the_invitation(app, agent, smtp_server, world):
    with app.app_context():
        guardian = Guardian(family_id=world.martin_id, first_name="Paul", last_name="Martin",
                            email="paul.martin@example.org")
        db.session.add(guardian)
        db.session.commit()
        guardian_id = guardian.id
    agent.post(f"/gestion/comptes/{guardian_id}/invitation")
    assert smtp_server.recipients() == ["paul.martin@example.org"]
    visitor = app.test_client()
    visitor.post(_link(smtp_server.messages[0]), data={"password": PASSWORD, "confirm": PASSWORD})
    assert _login(app, "paul.martin@example.org", PASSWORD)


def test_choosing_the_password_unlocks_a_locked_account(app, agent, smtp_server, world):
    with app.app_context():
        user = db.session.query(User).filter_by(username="martin").one()
        db.session.add(LoginState(user_id=user.id, locked_until=utcnow() + dt.timedelta(hours=1)))
        db.session.commit()
        guardian_id = db.session.query(Guardian.id).filter_by(user_id=user.id).scalar()
    assert not _login(app, "martin", f.PASSWORD)
    agent.post(f"/gestion/comptes/{guardian_id}/invitation")
    app.test_client().post(_link(smtp_server.messages[0]),
                           data={"password": PASSWORD, "confirm": PASSWORD})
    assert _login(app, "martin", PASSWORD)


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("court-2026", "court-2026", "au moins 12 caractères"),
    ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "trop facile à deviner"),
    ("claire.lebreton-2026", "claire.lebreton-2026", "ne doit pas contenir votre identifiant"),
    (PASSWORD, PASSWORD + "x", "Les deux mots de passe saisis sont différents"),
])
def test_a_weak_password_is_refused_in_french_and_the_link_stays_usable(
        app, agent, smtp_server, password, confirm, message):
    agent.post(NEW_FAMILY, data=_form(g2_first_name="", g2_last_name="", g2_email=""))
    link = _link(smtp_server.messages[0])
    visitor = app.test_client()
    refused = visitor.post(link, data={"password": password, "confirm": confirm})
    assert refused.status_code == 400
    assert message in html.unescape(refused.get_data(as_text=True))
    assert visitor.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 303


def test_an_address_already_used_refuses_the_whole_family(app, agent, smtp_server):
    response = agent.post(NEW_FAMILY, data=_form(g2_email="martin@example.org"))
    assert response.status_code == 400
    assert "L'adresse martin@example.org est déjà utilisée par un autre compte." in \
        html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.query(Family).filter_by(name="Famille Lebreton").count() == 0
        assert db.session.query(User).filter(User.email.like("%lebreton%")).count() == 0
    assert smtp_server.envelopes == []


def test_parents_cannot_create_families_or_send_invitations(app, client, world):
    f.login(client, "martin")
    assert client.get(NEW_FAMILY).status_code == 403
    assert client.post(NEW_FAMILY, data=_form()).status_code == 403
    with app.app_context():
        guardian_id = db.session.query(Guardian.id).first()[0]
    assert client.post(f"/gestion/comptes/{guardian_id}/invitation").status_code == 403


def test_an_invitation_sent_while_smtp_is_down_arrives_later_and_its_link_works(
        app, agent, smtp_server):
    smtp_server.stop()
    assert agent.post(NEW_FAMILY, data=_form(g2_first_name="", g2_last_name="",
                                             g2_email="")).status_code == 303
    with app.app_context():
        [mail] = db.session.query(OutgoingMail).all()
        assert mail.state == "pending" and mail.kind == "account_invite"

    smtp_server.start()
    with app.app_context():
        assert flush_pending_mails(now=utcnow() + dt.timedelta(hours=3)) == 1
    [message] = smtp_server.messages
    visitor = app.test_client()
    assert visitor.post(_link(message), data={"password": PASSWORD, "confirm": PASSWORD}) \
        .status_code == 303
    assert _login(app, "claire.lebreton@example.org", PASSWORD)


def test_a_login_deactivated_by_staff_cannot_be_revived_by_its_invitation(
        app, agent, smtp_server):
    agent.post(NEW_FAMILY, data=_form(g2_first_name="", g2_last_name="", g2_email=""))
    link = _link(smtp_server.messages[0])
    with app.app_context():
        user = app.appbuilder.sm.find_user(email="claire.lebreton@example.org")
        user.active = False
        app.appbuilder.sm.update_user(user)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 410
    assert visitor.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 410
    with app.app_context():
        assert not app.appbuilder.sm.find_user(email="claire.lebreton@example.org").active
    assert not _login(app, "claire.lebreton@example.org", PASSWORD)
