"""Large exports as background jobs (app.services.exports.jobs): above the threshold the
export route starts a job and sends the manager to its page; the job writes the very rows
of the direct export (same filters, same order), reports its progress, and its file is its
starter's (and the admins') only; a retry rewrites it; old files are purged."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Job, JobState, School
from app.security.roles import ADMIN, MANAGER
from app.services.exports import jobs as export_jobs
from app.services.jobs import retry_job
from tests import factories as f
from tests.exports.test_exports import _csv, _xlsx, fixed_clock, town  # noqa: F401

BOOKINGS = ("/gestion/reservations/csv?_flt_1_day=2026-11-22"
            "&_oc_StaffBookingView=day&_od_StaffBookingView=asc")


@pytest.fixture(autouse=True)
def no_files_left(app):
    """The upload folder is the session's: each test starts with no export file."""
    with app.app_context():
        shutil.rmtree(export_jobs.exports_dir(), ignore_errors=True)


@pytest.fixture
def progress(app, monkeypatch, job_progress):
    """Every progress report of a job, as (done, total); jobs run at once, in-process."""
    seen = job_progress(export_jobs, "PROGRESS_EVERY")
    monkeypatch.setitem(app.config, "PORTAL_JOBS_INLINE", True)
    monkeypatch.setitem(app.config, "PORTAL_EXPORT_JOB_ROWS", 1)
    monkeypatch.setitem(app.config, "PORTAL_EXPORT_JOB_ROWS_CSV", 1)
    return seen


@pytest.fixture
def people(app, town):  # noqa: F811 (the fixture imported above)
    with app.app_context():
        f.user("gestionnaire2", MANAGER)
        f.user("admin1", ADMIN)
        f.family("Parent", db.session.get(School, town["north"]), username="parent1")
        db.session.commit()
    return town


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    found = re.fullmatch(r".*/gestion/travaux/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _direct(app, client, url: str):
    """The same export answered at once (threshold out of reach)."""
    app.config["PORTAL_EXPORT_JOB_ROWS"] = app.config["PORTAL_EXPORT_JOB_ROWS_CSV"] = 10**9
    try:
        return client.get(url)
    finally:
        app.config["PORTAL_EXPORT_JOB_ROWS"] = app.config["PORTAL_EXPORT_JOB_ROWS_CSV"] = 1


def test_a_csv_over_the_threshold_is_a_job_with_the_same_rows(app, client, people, progress):
    f.login(client, "gestionnaire1")
    job_id = _job_id(client.get(BOOKINGS))
    page = client.get(f"/gestion/travaux/{job_id}").get_data(as_text=True)
    assert "L&#39;export de 4 lignes est préparé en arrière-plan" in page
    assert "Export terminé : 4 lignes au format CSV" in page
    assert f'href="/gestion/travaux/{job_id}/fichier"' in page and "Télécharger" in page
    assert progress[0] == (0, 4) and (1, 4) in progress and (3, 4) in progress
    assert progress[-1] == (4, 4)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.state, job.done, job.total, job.started_by.username) == (
            JobState.done, 4, 4, "gestionnaire1")
        assert job.params["args"] == [["_flt_1_day", "2026-11-22"],
                                      ["_oc_StaffBookingView", "day"],
                                      ["_od_StaffBookingView", "asc"]]
    download = client.get(f"/gestion/travaux/{job_id}/fichier")
    assert download.headers["Content-Disposition"].endswith(
        "filename=reservations-2026-12-01.csv")
    # Served as every stored download: never sniffed, run or cached.
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    rows = _csv(download)
    assert [r[0] for r in rows[1:]] == ["23/11/2026", "23/11/2026", "24/11/2026",
                                        "30/11/2026"], "the list's own order (ascending)"
    direct = _direct(app, client, BOOKINGS)
    assert download.get_data() == direct.get_data()


def test_an_xlsx_job_rebuilds_the_filters_without_the_request(app, client, people, progress,
                                                               monkeypatch):
    """In a worker thread (no request): the saved filters give the very same rows."""
    monkeypatch.setitem(app.config, "PORTAL_JOBS_INLINE", False)
    f.login(client, "gestionnaire1")
    url = f"/gestion/reservations/xlsx?_flt_0_school={people['north']}"
    job_id = _job_id(client.get(url))
    app.extensions["portal_background"].wait()
    sheet = _xlsx(client.get(f"/gestion/travaux/{job_id}/fichier"))
    direct = _xlsx(_direct(app, client, url))
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 and {r[4] for r in rows[1:]} == {"École Nord"}
    assert rows == list(direct.iter_rows(values_only=True))
    assert progress[-1] == (3, 3)


def test_below_the_threshold_the_file_comes_at_once(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_EXPORT_JOB_ROWS", 4)
    monkeypatch.setitem(app.config, "PORTAL_EXPORT_JOB_ROWS_CSV", 4)
    f.login(client, "gestionnaire1")
    assert len(_csv(client.get(BOOKINGS))) == 1 + 4
    assert len(list(_xlsx(client.get("/gestion/familles/xlsx")).iter_rows())) == 1 + 3
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []


def test_only_its_starter_and_admins_download_it(app, client, people, progress):
    f.login(client, "gestionnaire1")
    job_id = _job_id(client.get("/gestion/familles/xlsx"))
    client.get("/logout/")
    f.login(client, "gestionnaire2")
    assert client.get(f"/gestion/travaux/{job_id}/fichier").status_code == 404
    assert "/fichier" not in client.get(f"/gestion/travaux/{job_id}").get_data(as_text=True)
    client.get("/logout/")
    for intruder in ("agent1", "parent1"):
        f.login(client, intruder)
        answer = client.get(f"/gestion/travaux/{job_id}/fichier")
        assert answer.status_code in (302, 403, 404), intruder
        assert b"PK" not in answer.get_data()[:2], intruder
        client.get("/logout/")
    f.login(client, "admin1")
    assert len(list(_xlsx(client.get(f"/gestion/travaux/{job_id}/fichier")).iter_rows())) == 4
    assert client.get("/gestion/travaux/99999/fichier").status_code == 404
    assert client.get("/gestion/travaux/abc/fichier").status_code == 404
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.state, job.attempts) == (JobState.done, 1), "nothing changed"


def test_another_kind_of_job_has_no_file(app, client, people):
    from app.services.jobs import JobOutcome, register_handler, start_job
    from app.services.jobs.core import _HANDLERS

    register_handler("test.nothing", lambda run: JobOutcome("Rien."))
    try:
        with app.test_request_context():
            other = start_job("test.nothing", key="nothing", dispatch=False).id
        f.login(client, "admin1")
        assert client.get(f"/gestion/travaux/{other}/fichier").status_code == 404
    finally:
        _HANDLERS.pop("test.nothing")


def test_an_expired_or_missing_file_is_said_in_french(app, client, people, progress,
                                                      monkeypatch):
    f.login(client, "gestionnaire1")
    job_id = _job_id(client.get(BOOKINGS))
    with app.app_context():
        path = export_jobs.exports_dir() / f"job-{job_id}.csv"
        assert path.is_file()
        assert export_jobs.purge_exports() == 0, "a fresh file stays"
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-08T10:00:00")  # 7 days on
    page = client.get(f"/gestion/travaux/{job_id}/fichier", follow_redirects=True)
    assert page.status_code == 200
    assert "n&#39;est plus disponible (il est gardé 7 jours)" in page.get_data(as_text=True)
    with app.app_context():
        assert export_jobs.purge_exports() == 1
    assert not path.exists()
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-01T09:00:00")
    page = client.get(f"/gestion/travaux/{job_id}/fichier", follow_redirects=True)
    assert page.status_code == 200 and "n&#39;est plus disponible" in page.get_data(
        as_text=True), "a missing file: a message, not a 5xx"


def test_a_failed_export_is_retried_into_one_whole_file(app, client, people, progress,
                                                        monkeypatch):
    calls = []
    real = export_jobs.csv_chunks

    def broken_once(columns, rows):
        calls.append(1)
        for n, chunk in enumerate(real(columns, rows)):
            if len(calls) == 1 and n == 0:
                yield chunk
                raise OSError("disque plein")
            yield chunk

    monkeypatch.setattr(export_jobs, "csv_chunks", broken_once)
    f.login(client, "gestionnaire1")
    job_id = _job_id(client.get(BOOKINGS))
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.failed
        folder = export_jobs.exports_dir()
        assert not list(folder.glob(f"job-{job_id}.*")), "no half file"
    page = client.get(f"/gestion/travaux/{job_id}").get_data(as_text=True)
    assert "/fichier" not in page
    with app.test_request_context():
        retry_job(job_id)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.state, job.attempts, job.done) == (JobState.done, 2, 4)
        assert [p.name for p in folder.glob(f"job-{job_id}*")] == [f"job-{job_id}.csv"]
        assert db.session.query(Job).count() == 1
    assert len(_csv(client.get(f"/gestion/travaux/{job_id}/fichier"))) == 1 + 4


def test_a_double_click_starts_one_job(app, client, people, progress):
    f.login(client, "gestionnaire1")
    first = _job_id(client.get(BOOKINGS))
    assert _job_id(client.get(BOOKINGS)) == first
    with app.app_context():
        assert db.session.query(Job).count() == 1


def test_an_xlsx_past_excels_last_row_is_refused_before_any_job(app, client, people,
                                                                progress, monkeypatch):
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 2)
    f.login(client, "gestionnaire1")
    page = client.get("/gestion/reservations/xlsx", follow_redirects=True)
    assert page.status_code == 200 and "la limite d" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Job).count() == 0


def test_old_files_of_unknown_jobs_are_purged(app_ctx):
    folder = export_jobs.exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "job-424242.csv").write_text("x")
    (folder / "notes.txt").write_text("kept: not an export's name")
    assert export_jobs.purge_exports() == 1
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_the_purge_is_a_periodic_task(app):
    from app.celery_app import celery

    entry = celery.conf.beat_schedule["portal-purge-exports"]
    assert entry["task"] == "portal.purge_exports"
    assert entry["schedule"] <= dt.timedelta(days=1).total_seconds()
