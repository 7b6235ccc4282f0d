"""Test fixtures: one app and schema (built by the real migrations) per session, a clean
database for each test. SQLite by default; PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.models import Model

# Permission rows are built once per session; everything else is emptied between tests.
_KEPT_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "alembic_version"}


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    tmp_dir = Path(tempfile.mkdtemp(prefix="portail-tests-"))
    url = _database_url(tmp_dir)
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        PORTAL_UPLOAD_DIR=str(tmp_dir / "uploads"),
    )
    with app.app_context():
        if url.startswith("postgresql"):
            # A leftover schema from an earlier run would hide a broken migration.
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        app.appbuilder.add_permissions(update_perms=True)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(Model.metadata.sorted_tables) if t.name not in _KEPT_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_db(app):
    """Each test starts with empty tables and the four roles."""
    with app.app_context():
        app.appbuilder.sm.create_roles()
        db.session.commit()
    yield
    with app.app_context():
        db.session.rollback()
        _empty_tables()


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


class QueryCounter:
    """Counts SQL statements sent by the app (to prove a page's cost is constant)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    def _counter():
        with app.app_context():
            engine = db.engine
        return QueryCounter(engine)

    return _counter
