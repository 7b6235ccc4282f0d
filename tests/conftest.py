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
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # DELETE rather than TRUNCATE: TRUNCATE rewrites every table's files (about 1 s per
        # test). Ids restart at 1 as SQLite's do after a DELETE, so both databases agree.
        db.session.execute(
            text(
                "SELECT setval(CAST(seq AS regclass), 1, false) FROM ("
                " SELECT pg_get_serial_sequence(quote_ident(name), 'id') AS seq"
                " FROM unnest(CAST(:names AS text[])) AS name) AS s WHERE seq IS NOT NULL"
            ),
            {"names": [t.name for t in tables if "id" in t.c]},
        )
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_db(app):
    """Each test starts with empty tables and the four roles."""
    with app.app_context():
        app.appbuilder.sm.create_roles()
        db.session.commit()
    yield
    app.extensions["portal_background"].wait()  # work left after an answer (app.background)
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


@pytest.fixture
def held_jobs(monkeypatch) -> list[int]:
    """Jobs started by a page are recorded but handed to no worker: a test sees what the
    page answered before any work was done, then runs each job in-process (`run_job`), as
    the Celery task or the thread would."""
    from app.services.jobs import core

    held: list[int] = []
    monkeypatch.setattr(core, "dispatch", lambda job_id, _run: held.append(job_id))
    return held


@pytest.fixture
def job_progress(monkeypatch):
    """`watch(module, attribute)`: every progress report of the jobs, as (done, total),
    with the module's step size (`CHUNK`, `PROGRESS_EVERY`…) set to 1 so each step reports."""
    from app.services.jobs import JobRun

    seen: list[tuple[int, int | None]] = []
    real = JobRun.progress

    def recording(self, done, total=None):
        seen.append((done, total))
        real(self, done, total)

    def watch(module, attribute: str = "CHUNK") -> list[tuple[int, int | None]]:
        monkeypatch.setattr(JobRun, "progress", recording)
        monkeypatch.setattr(module, attribute, 1)
        return seen

    return watch


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


# --- CI guard: in CI the PostgreSQL, browser and Redis tests must run, never be skipped. ---
_REQUIRED_IN_CI = ("postgres", "browser", "redis")


def pytest_configure(config):
    config.addinivalue_line("markers", "redis: needs a Redis server (TEST_REDIS_URL)")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With CI=true, a skipped test marked postgres/browser/redis is a failure: a green CI
    must mean these tests ran (deselect them with -m instead when a run is not meant for them)."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    required = [name for name in _REQUIRED_IN_CI if item.get_closest_marker(name)]
    if required:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: this {'/'.join(required)} test must run but was skipped: {reason}"
        )


# --- A real SMTP server (aiosmtpd) on loopback for the tests that deliver mail. ---
from tests.smtp import smtp_server  # noqa: E402,F401
