"""Issue 10, finding 5: sessions are revoked on the server. A cookie copied before a logout,
a password change, a deactivation or an admin's « Déconnecter partout » no longer works;
idle (30 min for staff) and absolute timeouts hold; the session starts afresh at login."""

from __future__ import annotations

import time

import pytest

from app.extensions import db
from app.models import Guardian, User
from app.security import sessions
from app.security.roles import ADMIN, AGENT
from tests import factories as f

NEW = "Une-Autre-Phrase-Secrete-2026"


def _copy(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def _in(client, url: str = "/gestion/") -> bool:
    return client.get(url).status_code == 200


@pytest.fixture
def agent(app, client):
    with app.app_context():
        f.user("agent", AGENT)
        f.user("chef", ADMIN)
    f.login(client, "agent")
    return client


def test_a_cookie_copied_before_logout_no_longer_works(app, agent):
    thief = _copy(app, agent)
    assert _in(thief)
    agent.get("/logout/")
    assert not _in(thief)


def test_a_password_change_ends_the_other_sessions_only(app, agent):
    thief = _copy(app, agent)
    response = agent.post("/compte/mon-mot-de-passe/", data={
        "current": f.PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert _in(agent), "the session that changed the password goes on"
    assert not _in(thief)


def test_log_out_everywhere_and_deactivation_end_every_session(app, agent):
    thief = _copy(app, agent)
    admin = app.test_client()
    f.login(admin, "chef")
    with app.app_context():
        agent_id = db.session.query(User.id).filter_by(username="agent").scalar()
    assert admin.post(f"/users/action/revoke_sessions/{agent_id}").status_code == 303
    assert not _in(agent) and not _in(thief)
    f.login(agent, "agent")
    thief = _copy(app, agent)
    with app.app_context():
        user = db.session.get(User, agent_id)
        roles = [r.id for r in user.roles]
    admin.post(f"/users/edit/{agent_id}", data={
        "first_name": user.first_name, "last_name": user.last_name, "username": "agent",
        "roles": roles})  # "active" unticked
    with app.app_context():
        assert db.session.get(User, agent_id).active is False
        db.session.get(User, agent_id).active = True  # even reactivated…
        db.session.commit()
    assert not _in(thief), "…the sessions of a deactivated login stay closed"


def test_staff_log_a_guardian_out_everywhere(app, client):
    with app.app_context():
        f.user("agent", AGENT)
        family = f.family("Martin", f.school(), children=0, username="martin")
        guardian_id = db.session.query(Guardian.id).filter_by(family_id=family.id).scalar()
    parent = app.test_client()
    f.login(parent, "martin")
    assert _in(parent, "/famille/")
    f.login(client, "agent")
    assert client.post(f"/gestion/comptes/{guardian_id}/deconnexion").status_code == 303
    assert not _in(parent, "/famille/")


@pytest.mark.parametrize(("minutes", "alive"), [(29, True), (31, False)])
def test_staff_sessions_end_after_30_idle_minutes(app, agent, minutes, alive):
    with agent.session_transaction() as session:
        session[sessions.SEEN_AT] = int(time.time()) - 60 * minutes
    assert _in(agent) is alive


def test_the_idle_timeout_is_configurable(app, agent):
    app.config["PORTAL_STAFF_IDLE_MINUTES"] = 5
    try:
        with agent.session_transaction() as session:
            session[sessions.SEEN_AT] = int(time.time()) - 6 * 60
        assert not _in(agent)
    finally:
        app.config["PORTAL_STAFF_IDLE_MINUTES"] = 30


def test_a_busy_session_still_ends_after_the_absolute_timeout(app, agent):
    with agent.session_transaction() as session:
        session[sessions.AUTHENTICATED_AT] = int(time.time()) - 13 * 3600
    assert not _in(agent)


def test_the_session_starts_afresh_at_login(app, client):
    with app.app_context():
        f.user("agent", AGENT)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["locale"] = "fr"
    f.login(client, "agent")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "fr"
        assert session[sessions.VERSION] >= 1
