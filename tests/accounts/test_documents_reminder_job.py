"""« Relancer toutes les familles de la liste » as a background job: the page answers at
once with the job, the job reminds every family (progress = families handled), reports
how many were reminded and skipped, never reminds twice on a retry nor on a double submit,
and a parent can neither start it nor read its progress."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import Alert, Job, JobState, OutgoingMail
from app.services.documents import jobs as reminder_jobs
from app.services.documents.reminders import RemindMissingDocuments
from app.services.jobs import retry_job, run_job
from tests import factories as f

MISSING = "/gestion/documents-manquants"
TOKEN = "remind-token-0123456789"


@pytest.fixture
def agent(app, world):
    client = app.test_client()
    f.login(client, "agent")
    return client


@pytest.fixture
def progress(job_progress) -> list[tuple[int, int]]:
    return job_progress(reminder_jobs)


def _remind_all(client, token=TOKEN):
    return client.post(f"{MISSING}/relancer", data={"all": "1", "job_token": token})


def _sent(app) -> list[int]:
    with app.app_context():
        return sorted(m.family_id for m in db.session.query(OutgoingMail)
                      .filter_by(kind="documents_reminder"))


def _alerts(app) -> list[int]:
    with app.app_context():
        return sorted(a.family_id for a in db.session.query(Alert))


def test_the_page_answers_with_a_job_that_reminds_every_family(app, world, agent,
                                                                held_jobs, progress):
    response = _remind_all(agent)
    assert response.status_code == 303
    with app.app_context():
        job = db.session.query(Job).one()
    assert response.location.endswith(f"?page=0&travail={job.id}")
    assert (job.kind, job.state, held_jobs) == ("documents_reminder", "queued", [job.id])
    assert _sent(app) == [] and _alerts(app) == []
    with app.test_request_context():
        assert run_job(job.id) == "done"
        job = db.session.get(Job, job.id)
        assert (job.state, job.done, job.total) == (JobState.done, 2, 2)
        assert job.summary == ("2 famille(s) relancée(s), 0 non relancée(s) dont 0 déjà "
                               "relancée(s) depuis moins d'un jour.")
        assert job.result == {"reminded": 2, "mails": 2, "skipped": 0, "recent": 0}
    assert progress == [(0, 2), (1, 2), (2, 2)]
    both = sorted([world.martin_id, world.voisin_id])
    assert _sent(app) == both and _alerts(app) == both
    page = html.unescape(agent.get(response.location).text)
    assert job.summary in page
    assert f"{MISSING}/relancer/{job.id}/etat" in page
    status = agent.get(f"{MISSING}/relancer/{job.id}/etat").get_json()
    assert (status["state"], status["done"], status["total"]) == ("done", 2, 2)


def test_families_reminded_less_than_a_day_ago_are_skipped_and_counted(app, world, agent,
                                                                       held_jobs):
    agent.post(f"{MISSING}/relancer", data={"family": world.martin_id})
    _remind_all(agent)
    with app.test_request_context():
        run_job(held_jobs[0])
        job = db.session.get(Job, held_jobs[0])
        assert job.summary == ("1 famille(s) relancée(s), 1 non relancée(s) dont 1 déjà "
                               "relancée(s) depuis moins d'un jour.")
        assert job.errors == ["Famille Martin : pas relancée (déjà relancée depuis moins "
                              "d'un jour, ou sans adresse électronique)."]
    assert _sent(app) == sorted([world.martin_id, world.voisin_id])


def test_a_retry_after_a_failure_reminds_nobody_twice(app, world, agent, held_jobs,
                                                     progress, monkeypatch):
    real = RemindMissingDocuments._remind
    calls = []

    def failing_second(self, family, documents):
        calls.append(family.id)
        if len(calls) == 2:
            raise RuntimeError("panne SMTP")
        return real(self, family, documents)

    monkeypatch.setattr(RemindMissingDocuments, "_remind", failing_second)
    _remind_all(agent)
    job_id = held_jobs[0]
    with app.test_request_context():
        assert run_job(job_id) == "failed"
    assert len(_sent(app)) == 1 and len(_alerts(app)) == 1  # the first chunk is committed
    with app.test_request_context():
        retry_job(job_id)
        assert run_job(job_id) == "done"
        job = db.session.get(Job, job_id)
        assert job.summary.startswith("2 famille(s) relancée(s), 0 non relancée(s)")
        assert (job.done, job.total, job.attempts) == (2, 2, 2)
    both = sorted([world.martin_id, world.voisin_id])
    assert _sent(app) == both and _alerts(app) == both


def test_a_double_submit_gives_one_job(app, world, agent, held_jobs):
    assert _remind_all(agent).location == _remind_all(agent).location
    with app.app_context():
        assert db.session.query(Job).count() == 1 and len(held_jobs) == 1


def test_a_parent_can_neither_start_it_nor_follow_it(app, world, agent, held_jobs):
    parent = app.test_client()
    f.login(parent, "martin")
    assert _remind_all(parent).status_code in (302, 403)
    with app.app_context():
        assert db.session.query(Job).count() == 0
    _remind_all(agent)
    assert parent.get(f"{MISSING}/relancer/{held_jobs[0]}/etat").status_code in (302, 403)
    assert _sent(app) == []
    assert agent.get(f"{MISSING}/relancer/999/etat").status_code == 404
