"""A 5,000-family file imports in the background (a thread without Redis, a Celery worker
with it) and its progress moves while it runs (observed from another connection)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Child, Family, FamilyImport, Guardian, Job
from app.services.family_import.commands import CheckImport, UploadImport
from app.services.family_import.jobs import start_family_import
from app.services.family_import.run import import_plan
from tests import factories
from tests.imports.builders import MAPPING, csv_bytes, row

FAMILIES = 5000


@pytest.fixture
def town(app_ctx):
    factories.school("École Théodore Chalmel")
    factories.school_year()
    app_ctx.config["PORTAL_FIXED_NOW"] = "2026-11-15T09:00:00"
    yield
    app_ctx.config["PORTAL_FIXED_NOW"] = None


def _big_file() -> bytes:
    return csv_bytes([row(n, g2f="Marc", g2l=f"Import{n}", g2m=f"marc.import{n}@example.org")
                      for n in range(1, FAMILIES + 1)])


def _observe(job_id: int) -> list[tuple[str, int, int]]:
    """Every distinct (state, done, total) of the job seen from another connection until
    the end."""
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + 600  # a guard against a hang, not an assertion
    while time.monotonic() < deadline:
        with Session(db.engine) as session:
            record = session.execute(select(Job.state, Job.done, Job.total)
                                     .where(Job.id == job_id)).one()
        if not seen or seen[-1] != tuple(record):
            seen.append(tuple(record))
        if record.state in ("done", "failed"):
            return seen
        time.sleep(0.02)
    return seen


def test_a_5000_family_file_imports_in_the_background_with_progress(app_ctx, town):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("progress is written beside the run on PostgreSQL (SQLite has one writer)")
    record = UploadImport("ville.csv", _big_file(), None).run()
    checked, counts = CheckImport(record.id, MAPPING, None).run()
    assert checked.errors == [] and counts["families"] == FAMILIES
    job = start_family_import(record.id, None)  # a thread here (no REDIS_URL)
    seen = _observe(job.id)
    assert seen[-1] == ("done", FAMILIES, FAMILIES)
    running = [done for state, done, total in seen if state == "running" and total]
    assert len(set(running)) >= 3, seen  # the bar moved at least three times
    assert running == sorted(running)
    db.session.expire_all()
    assert db.session.get(FamilyImport, record.id).state == "done"
    assert "5000 foyers, 10000 responsables, 5000 enfants" in db.session.get(Job, job.id).summary
    assert db.session.query(Family).count() == FAMILIES
    assert db.session.query(Guardian).count() == 2 * FAMILIES
    assert db.session.query(Child).count() == FAMILIES


def test_the_run_reports_its_progress_chunk_by_chunk(app_ctx, town):
    """On any database: the run calls its progress with each chunk of families."""
    record = UploadImport("ville.csv", csv_bytes([row(n) for n in range(1, 251)]), None).run()
    checked, _ = CheckImport(record.id, MAPPING, None).run()
    calls: list[tuple[int, int]] = []
    import_plan(checked, lambda done, total: calls.append((done, total)))
    assert calls == [(0, 250), (100, 250), (200, 250), (250, 250)]
    db.session.rollback()
    assert db.session.query(Family).count() == 0  # the caller's transaction decides
