"""Versioned consents: a required consent not accepted in its version in force blocks new
bookings (a French message, the link on the planning), each guardian's answer is recorded
with the version and the date, a new version asks again, staff see and export who
accepted which version."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import (
    AuditLog,
    Booking,
    ConsentAnswer,
    ConsentDocument,
    ConsentVersion,
    Family,
    Guardian,
)
from app.security.roles import MANAGER
from tests import factories as f
from tests.parent.planning_data import MONDAY, bookings, fixed_now, planning_town  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixed_now")

URL = "/api/v1/bookings/change"
TUESDAY = MONDAY + dt.timedelta(days=1)


def _town(app):
    """parent0 and parent1 (two families); the règlement (required, version 1 in force
    since September) and the droit à l'image (not required)."""
    with app.app_context():
        _school, [canteen], fams = planning_town(families=2)
        reglement = ConsentDocument(code="reglement", title="Règlement intérieur",
                                    required=True)
        reglement.versions.append(ConsentVersion(number=1, effective_from=dt.date(2026, 9, 1),
                                                 text="J'ai lu le règlement intérieur."))
        image = ConsentDocument(code="droit_image", title="Droit à l'image")
        image.versions.append(ConsentVersion(number=1, effective_from=dt.date(2026, 9, 1),
                                             text="J'autorise les photos."))
        db.session.add_all([reglement, image])
        db.session.commit()
        return canteen.id, fams[0].children[0].id, reglement.versions[0].id, \
            image.versions[0].id


def _book(client, kid, canteen, day=MONDAY):
    return client.post(URL, json={"child_id": kid, "service_id": canteen,
                                  "day": day.isoformat(), "action": "book"})


def _answer(client, version, answer="accept"):
    return client.post("/famille/autorisations/repondre",
                       data={"version": version, "answer": answer})


def test_a_required_consent_blocks_booking_until_accepted_and_records_the_version(
        app, client):
    canteen, kid, reglement_v1, image_v1 = _town(app)
    f.login(client, "parent0")
    refused = _book(client, kid, canteen)
    assert refused.status_code == 400
    assert refused.json["message"] == (
        "Pour réserver, acceptez d'abord « Règlement intérieur » (version 1) dans la "
        "rubrique « Mes autorisations ».")
    with app.app_context():
        assert bookings() == []
    planning = client.get("/famille/planning/2026-11").get_data(as_text=True)
    assert 'href="/famille/autorisations/"' in planning and "Mes autorisations" in planning
    # Refusing the image rights changes nothing; refusing the règlement keeps the block.
    assert _answer(client, image_v1, "refuse").status_code == 303
    assert _answer(client, reglement_v1, "refuse").status_code == 303
    assert _book(client, kid, canteen).status_code == 400
    assert _answer(client, reglement_v1, "accept").status_code == 303
    booked = _book(client, kid, canteen)
    assert booked.status_code == 200 and booked.json["message"] == "Réservé."
    with app.app_context():
        answer = db.session.query(ConsentAnswer).filter_by(version_id=reglement_v1).one()
        guardian = db.session.get(Guardian, answer.guardian_id)
        assert answer.accepted and guardian.user.username == "parent0"
        assert answer.version.number == 1 and answer.answered_at is not None
        assert db.session.query(ConsentAnswer).count() == 2  # the refused image rights
        audit = [a.action for a in db.session.query(AuditLog).filter_by(
            table_name="consent_answer").order_by(AuditLog.id)]
        assert audit == ["refuse", "refuse", "accept"]
    page = client.get("/famille/autorisations/").get_data(as_text=True)
    assert "accepté le" in page and "Accepté – réservations ouvertes" in page


def test_a_new_version_asks_again(app, client):
    canteen, kid, reglement_v1, _image = _town(app)
    f.login(client, "parent0")
    _answer(client, reglement_v1)
    assert _book(client, kid, canteen).status_code == 200
    with app.app_context():
        document = db.session.query(ConsentDocument).filter_by(code="reglement").one()
        # Version 2 is published for next week: not asked yet…
        document.versions.append(ConsentVersion(number=2, effective_from=dt.date(2026, 12, 7),
                                                text="Nouveau règlement : PAI."))
        db.session.commit()
    assert _book(client, kid, canteen, TUESDAY).status_code == 200
    with app.app_context():
        version2 = db.session.query(ConsentVersion).filter_by(number=2).one()
        version2.effective_from = dt.date(2026, 11, 20)  # …now in force
        db.session.commit()
        v2 = version2.id
    refused = _book(client, kid, canteen, MONDAY + dt.timedelta(days=3))
    assert refused.status_code == 400 and "(version 2)" in refused.json["message"]
    # Cancelling stays possible while the block holds.
    assert client.post(URL, json={"child_id": kid, "service_id": canteen,
                                  "day": MONDAY.isoformat(), "action": "cancel"}
                       ).status_code == 200
    assert _answer(client, reglement_v1).status_code == 400  # no longer in force
    assert _answer(client, v2).status_code == 303
    assert _book(client, kid, canteen, MONDAY + dt.timedelta(days=3)).status_code == 200


def test_the_other_family_s_acceptance_does_not_count(app, client):
    canteen, kid, reglement_v1, _image = _town(app)
    f.login(client, "parent1")
    _answer(client, reglement_v1)
    client.get("/logout/")
    f.login(client, "parent0")
    assert _book(client, kid, canteen).status_code == 400
    with app.app_context():
        assert db.session.query(Booking).count() == 0


def test_a_second_guardian_of_the_household_unblocks_it_too(app, client):
    canteen, kid, reglement_v1, _image = _town(app)
    with app.app_context():
        family = db.session.query(Family).filter_by(name="Famille Fam0").one()
        login = f.user("second", "Parent")
        db.session.add(Guardian(family=family, user_id=login.id, first_name="Second",
                                last_name="Parent"))
        db.session.commit()
    f.login(client, "second")
    assert _answer(client, reglement_v1).status_code == 303
    client.get("/logout/")
    f.login(client, "parent0")
    assert _book(client, kid, canteen).status_code == 200
    page = client.get("/famille/autorisations/").get_data(as_text=True)
    assert "Second Parent" in page and "pas encore de réponse" in page  # parent0's own


def test_bad_answers_are_refused_in_french(app, client):
    _canteen, _kid, reglement_v1, _image = _town(app)
    f.login(client, "parent0")
    for data in ({"version": "abc", "answer": "accept"}, {"version": reglement_v1},
                 {"version": "999999", "answer": "accept"}):
        response = client.post("/famille/autorisations/repondre", data=data)
        assert response.status_code == 400
    with app.app_context():
        assert db.session.query(ConsentAnswer).count() == 0


def test_staff_see_and_export_who_accepted_which_version(app, client):
    _canteen, _kid, reglement_v1, _image = _town(app)
    f.login(client, "parent0")
    _answer(client, reglement_v1)
    client.get("/logout/")
    with app.app_context():
        f.user("gestion", MANAGER)
    f.login(client, "gestion")
    listing = client.get("/gestion/consentements/reponses/list/").get_data(as_text=True)
    assert "Famille Fam0" in listing and "Règlement intérieur — version 1" in listing
    export = client.get("/gestion/consentements/reponses/csv")
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    assert "Règlement intérieur — version 1" in text and ";Oui;" in text
