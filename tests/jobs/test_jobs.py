"""Background jobs (app.services.jobs): a job runs to completion with its progress visible
to other connections while it runs, reports in French, fails with a French reason, is
retried on the same row without doubling, and its status page is the managers'."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Job, JobState
from app.security.roles import AGENT, MANAGER
from app.services.jobs import JobOutcome, register_handler, retry_job, run_job, start_job
from app.services.jobs.core import _HANDLERS
from tests import factories as f

SEEN: list[tuple[int, int, str]] = []
CALLS: dict[str, int] = {}


def _read_beside(job_id: int) -> tuple[int, int, str]:
    """The job as another connection (the page's poll) sees it now."""
    with Session(db.engine) as session:
        job = session.get(Job, job_id)
        return job.done, job.total, job.state


def counting(run):
    steps = int(run.params["steps"])
    run.progress(0, steps)
    SEEN.append(_read_beside(run.id))
    for step in range(1, steps + 1):
        run.progress(step)
        SEEN.append(_read_beside(run.id))
    return JobOutcome(f"{steps} étapes faites.", {"steps": steps})


def flaky(run):
    """Fails at its first attempt; what it counts is keyed by the job (never doubled)."""
    CALLS[run.params["name"]] = CALLS.get(run.params["name"], 0) + 1
    if run.attempt == 1:
        raise ValueError("panne")
    return JobOutcome("Terminé au second essai.")


@pytest.fixture(autouse=True)
def handlers():
    SEEN.clear()
    CALLS.clear()
    register_handler("test.counting", counting)
    register_handler("test.flaky", flaky)
    yield
    _HANDLERS.pop("test.counting")
    _HANDLERS.pop("test.flaky")


def test_a_job_runs_to_completion_with_its_progress_seen_while_it_runs(app_ctx):
    job = start_job("test.counting", {"steps": 3}, key="count-3", dispatch=False)
    assert (job.state, job.done) == (JobState.queued, 0)
    assert run_job(job.id) == "done"
    assert SEEN == [(0, 3, "running"), (1, 3, "running"), (2, 3, "running"),
                    (3, 3, "running")]
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.done, job.total, job.attempts) == (JobState.done, 3, 3, 1)
    assert job.summary == "3 étapes faites." and job.result == {"steps": 3}
    assert job.started_at is not None and job.finished_at is not None
    assert run_job(job.id) == "skipped"  # a duplicate delivery does nothing
    assert len(SEEN) == 4


def test_a_job_started_in_the_background_ends_and_the_same_key_starts_nothing(app,
                                                                             monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_JOBS_INLINE", False)
    with app.test_request_context():
        job = start_job("test.counting", {"steps": 2}, key="count-2")
        job_id = job.id
    app.extensions["portal_background"].wait()  # the in-process thread (no REDIS_URL)
    with app.test_request_context():
        again = start_job("test.counting", {"steps": 2}, key="count-2")
        assert again.id == job_id
        app.extensions["portal_background"].wait()
        assert _read_beside(job_id) == (2, 2, "done")
        assert db.session.scalars(select(Job)).all() == [again]
    assert len(SEEN) == 3  # ran once


def test_a_failed_job_is_retried_on_the_same_row_without_doubling(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "PORTAL_JOBS_INLINE", False)
    job = start_job("test.flaky", {"name": "x"}, key="flaky-x", dispatch=False)
    assert run_job(job.id) == "failed"
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.failed
    assert job.errors == ["Erreur inattendue (ValueError) : rien n'a été enregistré."]
    assert job.summary.startswith("Échec : ")
    retry_job(job.id)
    app_ctx.extensions["portal_background"].wait()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.errors) == (JobState.done, 2, None)
    assert job.summary == "Terminé au second essai."
    assert CALLS == {"x": 2}
    assert db.session.query(Job).count() == 1
    with pytest.raises(Exception, match="Seul un travail en échec"):
        retry_job(job.id)  # a done job is not run again


def test_the_job_page_and_status_are_the_managers(app, client):
    with app.app_context():
        f.user("gestionnaire", MANAGER)
        f.user("agent", AGENT)
        db.session.commit()
    with app.test_request_context():
        job = start_job("test.counting", {"steps": 4}, key="count-4", dispatch=False)
        job_id = job.id
        run_job(job_id)
    f.login(client, "agent")
    assert client.get(f"/gestion/travaux/{job_id}/etat").status_code in (302, 403)
    client.get("/logout/")
    f.login(client, "gestionnaire")
    status = client.get(f"/gestion/travaux/{job_id}/etat").get_json()
    assert (status["state"], status["done"], status["total"], status["percent"]) == (
        "done", 4, 4, 100)
    assert status["finished"] and status["summary"] == "4 étapes faites."
    page = client.get(f"/gestion/travaux/{job_id}")
    assert page.status_code == 200
    assert '<progress id="job-progress-1"' in page.text and 'max="4"' in page.text
    assert "4 sur 4 (100 %)" in page.text and "4 étapes faites." in page.text
    assert "js/jobs.js" in page.text and "<script>" not in page.text
    assert client.get("/gestion/travaux/999/etat").status_code == 404


def test_the_job_page_says_when_it_started_in_paris_time(app, client):
    """Stored in UTC, read in Paris: a job started at 03:00 UTC on 7 December started at
    « 4 h 00 » for the staff (the page printed the stored « 03:00 »)."""
    import datetime as dt

    with app.app_context():
        f.user("gestionnaire", MANAGER)
        job = Job(kind="test.counting", key="paris-time", params={}, state=JobState.done,
                  created_at=dt.datetime(2026, 12, 7, 3, 0))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    f.login(client, "gestionnaire")
    page = client.get(f"/gestion/travaux/{job_id}").text
    started = page[page.index("Lancé le"):].split("</p>", 1)[0]
    assert "lundi 7 décembre" in started and "4\u00a0h\u00a000" in started, started
    assert "03:00" not in page
