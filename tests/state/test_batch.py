"""The yearly QF refresh: every consenting family, counts that match the stand-in's data."""

from __future__ import annotations

import datetime as dt

import pytest

from app.devservers.identities import ERROR_NAMES, QF_FILES
from app.extensions import db
from app.models import QfBatch, QfConsent, QfFetch, QuotientFamilial
from app.services.api_particulier.batch import execute_batch, start_batch
from tests import factories as f
from tests.billing.builders import town

from .builders import consent, guardian_family

pytestmark = pytest.mark.usefixtures("api_on")

# (birth name, birth date, sex) of each consenting family.
PEOPLE = [
    ("MARTIN", dt.date(1986, 4, 12), "F"),    # in the stand-in's files (CAF)
    ("LE GALL", dt.date(1982, 11, 3), "M"),   # in the files (MSA)
    ("MOREL", dt.date(1988, 7, 21), "F"),     # in the files
    ("BERNARD", dt.date(1984, 2, 15), "M"),   # a wrong birth date: not found
    ("DUPONT", dt.date(1975, 5, 5), "F"),     # unknown: not found
    ("ERREUR-503", dt.date(1980, 1, 1), "F"),  # the service is down for this one
    ("ERREUR-400", dt.date(1980, 1, 1), "M"),  # a parameter refused
]


def _expected() -> dict[str, int]:
    """What the stand-in's data says each person gives."""
    counts = {"found": 0, "not_found": 0, "errors": 0}
    for name, born, sex in PEOPLE:
        if name in ERROR_NAMES:
            counts["errors"] += 1
        elif (record := QF_FILES.get((name, born.isoformat()))) and record["sexe"] == sex:
            counts["found"] += 1
        else:
            counts["not_found"] += 1
    return counts


def _town_of_consenting_families():
    school = town().school
    for i, (name, born, sex) in enumerate(PEOPLE):
        fam = guardian_family(f"Parent{i}", name.title(), born, f"parent{i}", school)
        consent(fam, name, born, sex)
    silent = guardian_family("Sans", "Accord", None, "sans.accord", school)
    withdrawn = consent(silent, "MARTIN", dt.date(1986, 4, 12))
    withdrawn.withdrawn_at = dt.datetime(2026, 11, 1)
    db.session.commit()


def test_the_batch_reads_every_consenting_family_and_reports_true_counts(app):
    with app.app_context():
        _town_of_consenting_families()
        batch = start_batch(None)
        assert execute_batch(batch.id) == "done"
        batch = db.session.get(QfBatch, batch.id)
        expected = _expected()
        assert expected == {"found": 3, "not_found": 2, "errors": 2}
        assert (batch.total, batch.done) == (len(PEOPLE), len(PEOPLE))
        assert {"found": batch.found, "not_found": batch.not_found,
                "errors": batch.errors} == expected
        assert db.session.query(QuotientFamilial).count() == expected["found"]
        assert db.session.query(QfFetch).filter_by(batch_id=batch.id).count() == len(PEOPLE)
        # The family whose consent was withdrawn was not asked.
        silent = db.session.query(QfConsent).filter(QfConsent.withdrawn_at.isnot(None)).one()
        assert db.session.query(QfFetch).filter_by(family_id=silent.family_id).count() == 0
        assert execute_batch(batch.id) == "skipped"  # a duplicate task does nothing


def test_a_second_batch_adds_no_duplicate_attestation(app):
    with app.app_context():
        _town_of_consenting_families()
        execute_batch(start_batch(None).id)
        execute_batch(start_batch(None).id)
        assert db.session.query(QuotientFamilial).count() == _expected()["found"]


def test_the_manager_starts_it_and_reads_the_report(app, client):
    with app.app_context():
        _town_of_consenting_families()
        f.user("gestion1", "Gestionnaire")
        f.user("agent1", "Agent")
    f.login(client, "agent1")
    assert client.post("/gestion/quotient-caf/campagne/lancer").status_code in (302, 403)
    client.get("/logout/")
    f.login(client, "gestion1")
    response = client.post("/gestion/quotient-caf/campagne/lancer")
    assert response.status_code == 303
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    expected = _expected()
    assert f'data-count="found">{expected["found"]}<' in report
    assert f'data-count="not_found">{expected["not_found"]}<' in report
    assert f'data-count="errors">{expected["errors"]}<' in report
    with app.app_context():
        batch_id = db.session.query(QfBatch.id).scalar()
    status = client.get(f"/gestion/quotient-caf/campagne/{batch_id}/etat").json
    assert status["finished"] and status["done"] == status["total"] == len(PEOPLE)
    index = client.get("/gestion/quotient-caf/campagne/").get_data(as_text=True)
    assert "<progress" in index


def test_the_batch_paces_its_calls_below_the_services_rate_limit(app, monkeypatch):
    from app.services.api_particulier import batch as batch_module

    waits: list[float] = []
    monkeypatch.setattr(batch_module, "_pause", waits.append)
    app.config["API_PARTICULIER_BATCH_INTERVAL"] = 0.5
    try:
        with app.app_context():
            _town_of_consenting_families()
            execute_batch(start_batch(None).id)
    finally:
        app.config["API_PARTICULIER_BATCH_INTERVAL"] = 0.0
    assert len(waits) == len(PEOPLE)
    assert all(0 <= wait <= 0.5 for wait in waits) and max(waits) > 0
