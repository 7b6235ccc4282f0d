"""`flask portal init` on a fresh database: migrations, roles, and the admin account from
environment variables (or a prompt); running it again changes nothing."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.security.roles import ADMIN, AGENT, MANAGER, PARENT


@pytest.fixture
def fresh_app(tmp_path):
    """An app on its own, empty in-memory SQLite database (the shared one is migrated)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://",
                     PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


ENV = {
    "PORTAL_ADMIN_USERNAME": "chef.informatique",
    "PORTAL_ADMIN_EMAIL": "dsi@ville-saint-pere.example.org",
    "PORTAL_ADMIN_PASSWORD": "Un-Mot-De-Passe-Solide-2026",
}


def _users(app) -> list[tuple[str, list[str]]]:
    with app.app_context():
        model = app.appbuilder.sm.user_model
        return [(u.username, [r.name for r in u.roles]) for u in db.session.query(model)]


def test_init_creates_schema_roles_and_admin_from_environment(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["portal", "init"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "chef.informatique" in result.output
    assert _users(fresh_app) == [("chef.informatique", [ADMIN])]
    with fresh_app.app_context():
        roles = {r.name for r in fresh_app.appbuilder.sm.get_all_roles()}
    assert {ADMIN, MANAGER, AGENT, PARENT} <= roles

    client = fresh_app.test_client()
    response = client.post("/login/", data={"username": ENV["PORTAL_ADMIN_USERNAME"],
                                            "password": ENV["PORTAL_ADMIN_PASSWORD"]})
    assert response.status_code == 302
    assert client.get("/", follow_redirects=True).request.path == "/gestion/"


def test_init_twice_creates_nothing_twice(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["portal", "init"], env=ENV).exit_code == 0
    again = runner.invoke(args=["portal", "init"], env=ENV)
    assert again.exit_code == 0, again.output
    assert "créé" not in again.output
    assert _users(fresh_app) == [("chef.informatique", [ADMIN])]


def test_init_prompts_for_the_password_when_not_in_environment(fresh_app):
    env = {"PORTAL_ADMIN_USERNAME": "admin", "PORTAL_ADMIN_PASSWORD": ""}
    result = fresh_app.test_cli_runner().invoke(
        args=["portal", "init"], env=env, input="Saisi-Au-Clavier-2026\nSaisi-Au-Clavier-2026\n")
    assert result.exit_code == 0, result.output
    assert "Mot de passe" in result.output
    client = fresh_app.test_client()
    response = client.post("/login/", data={"username": "admin",
                                            "password": "Saisi-Au-Clavier-2026"})
    assert response.status_code == 302


def test_init_refuses_a_weak_admin_password(fresh_app):
    """The one password policy (app/security/passwords.py) holds for the first admin too."""
    env = {**ENV, "PORTAL_ADMIN_PASSWORD": "admin"}
    result = fresh_app.test_cli_runner().invoke(args=["portal", "init"], env=env)
    assert result.exit_code != 0
    assert "au moins 12 caractères" in result.output
    assert _users(fresh_app) == []
