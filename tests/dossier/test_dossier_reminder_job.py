"""« Relancer toutes les familles incomplètes » of a yearly-file campaign as a background
job: the page answers at once with the job, the job alerts every incomplete family
(progress = families handled), reports reminded and skipped (reminded less than a day
ago), never reminds twice on a retry nor on a double submit; a parent cannot start it."""

# ruff: noqa: F811 (fixtures imported from their test modules)
from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import Alert, DossierCampaign, Job, JobState
from app.security.roles import AGENT
from app.services.dossier import jobs as dossier_jobs
from app.services.dossier.commands import RemindIncomplete
from app.services.jobs import retry_job, run_job
from tests import factories as f
from tests.parent.planning_data import fixed_now, planning_town  # noqa: F401  (fixture)

from .test_dossier import town  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fixed_now")
TOKEN = "dossier-token-0123456789"


@pytest.fixture
def agent(app, client, town):
    with app.app_context():
        f.user("agent", AGENT)
    f.login(client, "agent")
    return client


@pytest.fixture
def progress(job_progress) -> list[tuple[int, int]]:
    return job_progress(dossier_jobs)


def _remind(client, town, token=TOKEN):
    return client.post(f"/gestion/dossiers/suivi/{town['campaign']}/relancer",
                       data={"job_token": token})


def _alerted(app) -> list[int]:
    with app.app_context():
        return sorted(a.family_id for a in db.session.query(Alert)
                      .filter(Alert.title.like("Dossier 2027-2028%")))


def test_the_page_answers_with_a_job_that_reminds_every_incomplete_family(
        app, town, agent, held_jobs, progress):
    response = _remind(agent, town)
    assert response.status_code == 303
    with app.app_context():
        job = db.session.query(Job).one()
    assert response.location.endswith(f"/gestion/dossiers/suivi/{town['campaign']}"
                                      f"?travail={job.id}")
    assert (job.kind, job.state, held_jobs) == ("dossier_reminder", "queued", [job.id])
    assert _alerted(app) == []
    with app.test_request_context():
        assert run_job(job.id) == "done"
        job = db.session.get(Job, job.id)
        assert (job.state, job.done, job.total) == (JobState.done, 2, 2)
        assert job.summary == ("2 famille(s) relancée(s), 0 non relancée(s) dont 0 déjà "
                               "relancée(s) depuis moins d'un jour.")
    assert progress == [(0, 2), (1, 2), (2, 2)]
    assert len(_alerted(app)) == 2
    page = html.unescape(agent.get(response.location).text)
    assert job.summary in page
    status = agent.get(f"/gestion/dossiers/suivi/{town['campaign']}/relancer/{job.id}/etat")
    assert status.get_json()["state"] == "done"


def test_a_second_reminder_within_a_day_skips_the_families_reminded(
        app, town, agent, held_jobs):
    _remind(agent, town)
    _remind(agent, town, token="dossier-token-other-0123")
    with app.test_request_context():
        assert [run_job(i) for i in held_jobs] == ["done", "done"]
        job = db.session.get(Job, held_jobs[1])
        assert job.summary == ("0 famille(s) relancée(s), 2 non relancée(s) dont 2 déjà "
                               "relancée(s) depuis moins d'un jour.")
        assert len(job.errors) == 2
    assert len(_alerted(app)) == 2


def test_a_retry_after_a_failure_reminds_nobody_twice(app, town, agent, held_jobs,
                                                     progress, monkeypatch):
    real = RemindIncomplete.remind_families
    calls = []

    def failing_second(self, family_ids, seen):
        calls.append(family_ids)
        real(self, family_ids, seen)
        if len(calls) == 2:
            raise RuntimeError("panne")

    monkeypatch.setattr(RemindIncomplete, "remind_families", failing_second)
    _remind(agent, town)
    with app.test_request_context():
        assert run_job(held_jobs[0]) == "failed"
    assert len(_alerted(app)) == 1  # the second chunk was rolled back
    with app.test_request_context():
        retry_job(held_jobs[0])
        assert run_job(held_jobs[0]) == "done"
        job = db.session.get(Job, held_jobs[0])
        assert job.summary.startswith("2 famille(s) relancée(s), 0 non relancée(s)")
    assert len(_alerted(app)) == 2


def test_a_double_submit_gives_one_job_and_a_closed_campaign_none(
        app, town, agent, held_jobs):
    assert _remind(agent, town).location == _remind(agent, town).location
    with app.app_context():
        assert db.session.query(Job).count() == 1
        db.session.get(DossierCampaign, town["campaign"]).closes_on = \
            db.session.get(DossierCampaign, town["campaign"]).opens_on.replace(year=2025)
        db.session.commit()
    closed = _remind(agent, town, token="dossier-token-closed-0123")
    assert "Cette campagne est terminée." in agent.get(closed.location).text
    with app.app_context():
        assert db.session.query(Job).count() == 1


def test_a_parent_cannot_start_it_nor_follow_it(app, client, town, agent,
                                                held_jobs):
    _remind(agent, town)
    client.get("/logout/")
    f.login(client, "parent0")
    assert _remind(client, town, token="dossier-token-parent-0123").status_code in (302, 403)
    url = f"/gestion/dossiers/suivi/{town['campaign']}/relancer/{held_jobs[0]}/etat"
    assert client.get(url).status_code in (302, 403)
    with app.app_context():
        assert db.session.query(Job).count() == 1
    assert _alerted(app) == []
