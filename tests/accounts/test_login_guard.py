"""Issue 10, findings 3 and 4, and issue 13's shared connection: failed logins are counted
atomically in the database (parallel attempts all count), a lock is not extended by attempts
during it and grows with each new lock, the owner gets a single-use unlock link, staff have
« Débloquer », the login page says why, and one address is limited without locking out 50
parents behind a school's connection."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import AuditLog, Guardian, LoginState, User
from app.models.base import utcnow
from app.security.roles import AGENT
from tests import factories as f

UNLOCK = re.compile(r"https?://[^/\s]+(/compte/deblocage/[A-Za-z0-9_\-]+)")


def _post(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, follow_redirects=True)


def _logged_in(app, username: str, password: str = f.PASSWORD,
               address: str = "10.0.0.1") -> bool:
    client = app.test_client()
    _post(client, username, password, address)
    return client.get("/famille/").status_code == 200 or client.get(
        "/gestion/").status_code == 200


def _state(app, username: str) -> LoginState | None:
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        state = db.session.get(LoginState, user.id)
        if state is not None:
            db.session.expunge(state)
        return state


@pytest.fixture
def limit(app):
    return app.config["PORTAL_MAX_FAILED_LOGINS"]


@pytest.fixture
def settings(app):
    """Change settings for one test."""
    saved: dict = {}

    def change(**values):
        for key in values:
            saved.setdefault(key, app.config.get(key))
        app.config.update(values)

    yield change
    app.config.update(saved)


def test_parallel_wrong_passwords_are_all_counted(app, settings):
    """10 wrong passwords at once count as 10 (FAB's read-modify-write counted 1 to 5)."""
    settings(PORTAL_MAX_FAILED_LOGINS=10)
    with app.app_context():
        f.user("cible", AGENT)
    start = threading.Barrier(10)

    def attempt(n: int) -> None:
        client = app.test_client()
        start.wait()
        _post(client, "cible", "mauvais", f"10.0.1.{n}")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not _logged_in(app, "cible"), "10 parallel failures must reach the limit of 10"
    state = _state(app, "cible")
    assert state.locks == 1 and state.locked_until > utcnow()


def test_attempts_during_a_lock_do_not_extend_it(app, client, limit):
    with app.app_context():
        f.user("admin2", AGENT)
    for _ in range(limit):
        _post(client, "admin2", "mauvais")
    first = _state(app, "admin2")
    assert first.locked_until > utcnow()
    for _ in range(3 * limit):
        _post(client, "admin2", "mauvais", "10.9.9.9")
    assert _state(app, "admin2").locked_until == first.locked_until
    assert _state(app, "admin2").locks == 1


def test_each_new_lock_lasts_longer(app, client, limit):
    with app.app_context():
        f.user("repete", AGENT)
    durations = []
    for _ in range(3):
        before = utcnow()
        for _ in range(limit):
            _post(client, "repete", "mauvais")
        state = _state(app, "repete")
        durations.append(state.locked_until - before)
        with app.app_context():  # the lock runs out
            db.session.execute(update(LoginState).values(
                locked_until=utcnow() - dt.timedelta(seconds=1)))
            db.session.commit()
    minutes = app.config["PORTAL_LOCK_MINUTES"]
    assert [round(d.total_seconds() / 60) for d in durations] == [minutes, 2 * minutes,
                                                                 4 * minutes]
    assert _logged_in(app, "repete")
    assert _state(app, "repete").locks == 0, "a successful login starts the delays again"


def test_the_login_page_says_the_account_is_locked_and_a_mail_was_sent(
        app, client, world, smtp_server, limit):
    for _ in range(limit - 1):
        page = _post(client, "martin", "mauvais").get_data(as_text=True)
    assert "Identifiant ou mot de passe incorrect" in page
    page = _post(client, "martin", "mauvais").get_data(as_text=True)
    assert "temporairement bloqué" in page and "lien de déblocage" in page
    page = _post(client, "martin", f.PASSWORD).get_data(as_text=True)
    assert "temporairement bloqué" in page
    assert smtp_server.recipients() == ["martin@example.org"]


def test_the_owner_unlocks_with_the_mailed_link_once(app, client, world, smtp_server, limit):
    for _ in range(limit):
        _post(client, "martin", "mauvais")
    assert not _logged_in(app, "martin")
    [message] = smtp_server.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "bloqué jusqu'au" in text
    link = UNLOCK.search(text).group(1)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    assert not _logged_in(app, "martin"), "opening the link (a mail scanner) unlocks nothing"
    assert visitor.post(link).status_code == 303
    assert _logged_in(app, "martin")
    assert visitor.post(link).status_code == 410
    assert app.test_client().get(link.replace("deblocage", "mot-de-passe")).status_code == 410


def test_staff_unlock_a_guardian_with_a_button(app, client, world, limit):
    for _ in range(limit):
        _post(app.test_client(), "martin", "mauvais")
    with app.app_context():
        guardian = db.session.query(Guardian).join(User).filter(User.username == "martin").one()
        guardian_id, user_id = guardian.id, guardian.user_id
    f.login(client, "agent")
    page = client.get(f"/gestion/comptes/show/{guardian_id}").get_data(as_text=True)
    assert "Débloquer" in page and "bloqué temporairement" in page
    assert client.post(f"/gestion/comptes/{guardian_id}/deblocage").status_code == 303
    assert _logged_in(app, "martin")
    with app.app_context():
        entry = db.session.query(AuditLog).filter_by(action="unlock").one()
        assert (entry.username, entry.object_id) == ("agent", str(user_id))


def test_an_address_with_too_many_failures_is_refused_for_a_while(app, settings):
    settings(PORTAL_ADDRESS_MAX_FAILURES=6)
    with app.app_context():
        for n in range(4):
            f.user(f"agent{n}", AGENT)
    attacker = app.test_client()
    for n in range(6):  # spread over accounts: no account reaches its own limit
        _post(attacker, f"agent{n % 3}", "mauvais", "203.0.113.7")
    page = _post(attacker, "agent3", f.PASSWORD, "203.0.113.7").get_data(as_text=True)
    assert "depuis cette connexion" in page
    assert not _logged_in(app, "agent3", address="203.0.113.7")
    assert _logged_in(app, "agent3", address="198.51.100.2")


def test_fifty_parents_behind_one_connection_are_not_locked_out(app):
    """A school's or town hall's connection at 8:00: 50 parents, each mistyping twice,
    then logging in, all from one address, with the default settings."""
    with app.app_context():
        school = f.school()
        for n in range(50):
            f.family(f"Famille {n}", school, children=0, username=f"parent{n}")
    for n in range(50):
        client = app.test_client()
        for password in ("mauvais", "mauvais-encore", f.PASSWORD):
            response = client.post("/login/", data={"username": f"parent{n}",
                                                    "password": password},
                                   environ_base={"REMOTE_ADDR": "192.0.2.50"})
        assert "/login" not in response.headers["Location"], f"parent{n} was locked out"


def test_admins_unlock_a_staff_login_from_the_users_list(app, client, limit):
    with app.app_context():
        f.user("bloque", AGENT)
        f.user("chef", "Admin")
        user_id = db.session.query(User.id).filter_by(username="bloque").scalar()
    for _ in range(limit):
        _post(app.test_client(), "bloque", "mauvais")
    assert not _logged_in(app, "bloque")
    f.login(client, "chef")
    page = client.get(f"/users/show/{user_id}").get_data(as_text=True)
    assert "Débloquer" in page and "Déconnecter partout" in page
    assert client.post(f"/users/action/unlock/{user_id}").status_code == 303
    assert _logged_in(app, "bloque")
