"""Security baseline of the real configurations (development, production), not the testing one:
CSRF, session cookie flags, mandatory SECRET_KEY, no FAB security API, anti-intrusion lock
and the login rate limit."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask_migrate import upgrade
from limits import parse as parse_limit
from sqlalchemy import update

from app import create_app
from app.extensions import db
from app.models import LoginState
from app.security.roles import AGENT
from app.tasks import init_celery
from tests import factories as f

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _build(test_app: Flask, db_file: Path, config_name: str, **overrides) -> Flask:
    """A development/production app on its own SQLite file. `create_app` rebinds the shared
    Celery app, so it is handed back to the test app."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        "REDIS_URL": "",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SUPPRESS_SEND": True,
        **overrides,
    }
    other = create_app(config_name, **settings)
    init_celery(test_app)
    return other


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("baseline") / "baseline.db"


@pytest.fixture(scope="module")
def dev_app(app, db_file):
    """Development app, CSRF on, on a migrated database with one agent (no permission rows:
    these tests only log in)."""
    # A small flood-guard limit keeps the rate-limit test short (the default, sized for a
    # shared school connection, is checked in test_the_default_limits_fit_a_shared_connection).
    dev = _build(app, db_file, "development", WTF_CSRF_ENABLED=True,
                 AUTH_RATE_LIMIT="10 per minute")
    with dev.app_context():
        upgrade()
        dev.appbuilder.sm.create_roles()
        f.user("agent", AGENT)
        db.session.remove()
    return dev


@pytest.fixture(scope="module")
def prod_app(app, dev_app, db_file):
    return _build(app, db_file, "production", SECRET_KEY="x",
                  PORTAL_BASE_URL="https://portail.ville-saint-pere.fr")


def _csrf_token(client) -> str:
    match = _CSRF_FIELD.search(client.get("/login/").get_data(as_text=True))
    assert match, "the login form has no CSRF token field"
    return match.group(1)


def _logged_in(client) -> bool:
    return client.get("/gestion/").status_code == 200


def _login_succeeded(response) -> bool:
    """FAB answers a login POST by a redirect: to the login form again when refused."""
    target = urlparse(response.headers.get("Location", "")).path
    return response.status_code == 302 and not target.startswith("/login")


def _session_cookie(response) -> SimpleCookie:
    cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookies.load(header)
    assert "session" in cookies, "no session cookie set"
    return cookies


def test_csrf_is_on_in_development(dev_app):
    client = dev_app.test_client()
    credentials = {"username": "agent", "password": f.PASSWORD}

    refused = client.post("/login/", data=credentials)
    assert refused.status_code == 400
    assert not _login_succeeded(refused)

    accepted = client.post("/login/", data={**credentials, "csrf_token": _csrf_token(client)})
    assert _login_succeeded(accepted), "with its token the same login works"


def test_csrf_is_configured_on_in_production(prod_app):
    assert prod_app.config["WTF_CSRF_ENABLED"] is True


def test_session_cookie_flags_in_development(dev_app):
    cookie = _session_cookie(dev_app.test_client().get("/login/"))["session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"], "development runs on plain http"


def test_session_cookie_is_secure_in_production(prod_app):
    cookie = _session_cookie(prod_app.test_client().get("/login/"))["session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True


def test_production_requires_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY="", SQLALCHEMY_DATABASE_URI="sqlite://")


def test_fab_security_api_is_off(app, client):
    with app.app_context():
        f.user("agent", AGENT)
    response = client.post(
        "/api/v1/security/login",
        json={"username": "agent", "password": f.PASSWORD, "provider": "db"},
    )
    assert response.status_code == 404
    assert "access_token" not in response.get_data(as_text=True)
    routes = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [r for r in routes if r.startswith("/api/v1/security")]


def test_account_locks_after_repeated_failures(app, client):
    limit = app.config["PORTAL_MAX_FAILED_LOGINS"]
    with app.app_context():
        f.user("almost", AGENT)
        f.user("locked", AGENT)

    for _ in range(limit - 1):
        client.post("/login/", data={"username": "almost", "password": "mauvais"})
    f.login(client, "almost")
    assert _logged_in(client), "one failure short of the limit, the right password works"
    client.get("/logout/")

    for _ in range(limit):
        client.post("/login/", data={"username": "locked", "password": "mauvais"})
    client.post("/login/", data={"username": "locked", "password": f.PASSWORD})
    assert not _logged_in(client), "a locked account must refuse even the right password"


def test_login_rate_limit_is_configured_in_production(prod_app):
    assert prod_app.config["AUTH_RATE_LIMITED"] is True
    assert prod_app.appbuilder.sm.limiter.enabled, "Flask-Limiter is off: no login rate limit"


def test_login_posts_are_rate_limited(dev_app):
    limiter = dev_app.appbuilder.sm.limiter
    limiter.reset()  # counts of the other tests' login POSTs
    allowed = parse_limit(dev_app.config["AUTH_RATE_LIMIT"]).amount
    client = dev_app.test_client()
    token = _csrf_token(client)
    codes = [
        client.post("/login/", data={"username": "inconnu", "password": "x",
                                     "csrf_token": token}).status_code
        for _ in range(allowed)
    ]
    assert 429 not in codes
    blocked = client.post("/login/", data={"username": "agent", "password": f.PASSWORD,
                                           "csrf_token": token})
    limiter.reset()
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)


def test_the_default_limits_fit_a_shared_connection(prod_app):
    """Issue 13: 50 parents behind one address at 8:00 (see README, shared connection)."""
    assert parse_limit(prod_app.config["AUTH_RATE_LIMIT"]).amount >= 100
    assert prod_app.config["PORTAL_ADDRESS_MAX_FAILURES"] >= 150


def test_production_requires_an_https_base_url_for_mailed_links():
    with pytest.raises(RuntimeError, match="PORTAL_BASE_URL"):
        create_app("production", SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_refuses_a_forged_host_header(prod_app):
    """Links and redirects are never built from an attacker's Host (TRUSTED_HOSTS)."""
    response = prod_app.test_client().get("/login/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    good = prod_app.test_client().get("/login/", headers={"Host": "portail.ville-saint-pere.fr"})
    assert good.status_code == 200


def test_a_locked_account_stays_locked_when_logging_in_with_its_email(app, client):
    """FAB also accepts the e-mail address as login: the lock must hold on that path too."""
    limit = app.config["PORTAL_MAX_FAILED_LOGINS"]
    with app.app_context():
        f.user("verrou", AGENT, email="verrou@example.org")
    for _ in range(limit):
        client.post("/login/", data={"username": "verrou@example.org", "password": "mauvais"})
    client.post("/login/", data={"username": "verrou@example.org", "password": f.PASSWORD})
    assert not _logged_in(client)
    client.post("/login/", data={"username": "verrou", "password": f.PASSWORD})
    assert not _logged_in(client)


def test_the_lock_ends_after_the_delay_and_staff_can_unlock(app, client):
    import datetime

    limit = app.config["PORTAL_MAX_FAILED_LOGINS"]
    with app.app_context():
        f.user("patient", AGENT)
    for _ in range(limit):
        client.post("/login/", data={"username": "patient", "password": "mauvais"})
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="patient")
        assert sm.is_locked(user)
        db.session.execute(update(LoginState).values(
            locked_until=datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            - datetime.timedelta(seconds=1)))
        db.session.commit()
    f.login(client, "patient")
    assert _logged_in(client)
    client.get("/logout/")
    for _ in range(limit):
        client.post("/login/", data={"username": "patient", "password": "mauvais"})
    result = app.test_cli_runner().invoke(args=["portal", "unlock", "patient"])
    assert result.exit_code == 0, result.output
    f.login(client, "patient")
    assert _logged_in(client)
