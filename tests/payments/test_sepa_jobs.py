"""The month's SEPA batch as a background job: the page checks the request at once and
answers with the job; the job records the batch the direct command would have (same lines,
same total), reports it in French, is retried after a failure without a second batch, and
a double submit gives one job. Agents and parents still cannot start it."""

# ruff: noqa: F811 (fixtures imported from their test modules)
from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Job, JobState, Payment, SepaBatch, SepaBatchLine
from app.security.roles import AGENT, MANAGER
from app.services.calendar import local_today
from app.services.jobs import retry_job, run_job
from app.services.payments import sepa, sepa_jobs
from app.services.payments.sepa import due_debits
from tests import factories as f

from .test_sepa import COLLECTION, SEPTEMBER, debits  # noqa: F401 (fixture)

TOKEN = "sepa-token-0123456789"


@pytest.fixture
def manager(app, client, debits):
    with app.app_context():
        f.user("manager1", MANAGER)
    f.login(client, "manager1")
    return client


def _post(client, token=TOKEN, month="2026-09", day=COLLECTION):
    return client.post("/gestion/prelevements/creer", data={
        "month": month, "date": day.isoformat(), "job_token": token})


def _counts():
    db.session.expire_all()
    return (db.session.query(SepaBatch).count(), db.session.query(SepaBatchLine).count(),
            db.session.query(Payment).filter_by(method="direct_debit").count())


def test_the_page_answers_with_a_job_that_records_the_batch(app, manager, held_jobs):
    with app.app_context():
        expected = [(d.invoice.id, d.amount) for d in due_debits(SEPTEMBER, COLLECTION, False)]
    response = _post(manager)
    assert response.status_code == 303
    with app.test_request_context():
        job = db.session.query(Job).one()
        assert response.location.endswith(f"/gestion/prelevements/?travail={job.id}")
        assert (job.kind, job.state, held_jobs) == ("sepa_batch", JobState.queued, [job.id])
        assert _counts() == (0, 0, 0)  # nothing done in the request
        assert run_job(job.id) == "done"
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        batch = db.session.query(SepaBatch).one()
        assert [(line.invoice_id, line.amount) for line in batch.lines] == expected
        assert (batch.count, batch.total) == (1, Decimal("40.50"))
        assert (job.state, job.done, job.total) == (JobState.done, 1, 1)
        assert job.summary == ("Fichier de prélèvement créé : 1 prélèvement(s), total "
                               f"40,50\u00a0€, prélevés le {COLLECTION:%d/%m/%Y}.")
        assert job.result == {"batch_id": batch.id, "count": 1, "total": "40.50"}
    page = manager.get(f"/gestion/prelevements/?travail={job.id}").text
    assert job.summary in page and f"/gestion/prelevements/{batch.id}/xml" in page


def test_errors_are_shown_at_once_and_start_nothing(app, manager, held_jobs):
    today = _post(manager, day=local_today())
    assert "postérieure à aujourd&#39;hui" in manager.get(today.location).text
    nothing = _post(manager, month="2026-08")
    assert "Aucune facture à prélever" in manager.get(nothing.location).text
    with app.app_context():
        assert db.session.query(Job).count() == 0 and _counts() == (0, 0, 0)
    assert held_jobs == []


def test_a_double_submit_gives_one_job(app, manager, held_jobs):
    first, second = _post(manager), _post(manager)
    assert first.location == second.location
    with app.test_request_context():
        assert db.session.query(Job).count() == 1 and len(held_jobs) == 1
        run_job(held_jobs[0])
    assert _post(manager).location == first.location  # even once it is done
    with app.app_context():
        assert _counts() == (1, 1, 1) and db.session.query(Job).count() == 1


def test_a_retry_after_a_failure_never_records_a_second_batch(app, manager, held_jobs,
                                                              monkeypatch):
    """First attempt: the batch is committed, then the report fails. The retry reports the
    batch the first attempt recorded."""
    real = sepa_jobs.euros
    calls = []

    def failing_once(value):
        calls.append(value)
        if len(calls) == 1:
            raise RuntimeError("panne après l'enregistrement")
        return real(value)

    monkeypatch.setattr(sepa_jobs, "euros", failing_once)
    _post(manager)
    with app.test_request_context():
        job_id = held_jobs[0]
        assert run_job(job_id) == "failed"
        assert _counts() == (1, 1, 1)
        retry_job(job_id)
        assert run_job(job_id) == "done"
        assert _counts() == (1, 1, 1)
        job = db.session.get(Job, job_id)
        assert job.attempts == 2 and "1 prélèvement(s), total 40,50" in job.summary


def test_a_retry_after_a_failure_before_the_commit_records_the_batch_once(
        app, manager, held_jobs, monkeypatch):
    real = sepa.pain008
    calls = []

    def failing_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("panne")
        return real(*args)

    monkeypatch.setattr(sepa, "pain008", failing_once)
    _post(manager)
    with app.test_request_context():
        job_id = held_jobs[0]
        assert run_job(job_id) == "failed" and _counts() == (0, 0, 0)
        retry_job(job_id)
        assert run_job(job_id) == "done" and _counts() == (1, 1, 1)


def test_agents_and_parents_still_cannot_start_it(app, client, debits, held_jobs):
    with app.app_context():
        f.user("agent1", AGENT)
    for username in ("agent1", "alice"):
        f.login(client, username)
        assert _post(client).status_code == 403
        client.get("/logout/")
    with app.app_context():
        assert db.session.query(Job).count() == 0 and _counts() == (0, 0, 0)
    assert held_jobs == []
