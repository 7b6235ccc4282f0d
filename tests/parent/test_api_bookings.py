"""REST API of the bookings: the write endpoint (POST /api/v1/bookings/change) follows the
planning's rules (deadline → request, closed day refused) and the family isolation; the
planning page's script uses it with the CSRF token of the page."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Child, Family
from tests import factories as f

from .planning_data import (
    FRIDAY,
    MONDAY,
    WEDNESDAY,
    bookings,
    fixed_now,  # noqa: F401  (the fixture, used below)
    planning_town,
    request_count,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

URL = "/api/v1/bookings/change"


def _town(app, families: int = 2):
    with app.app_context():
        _school, [canteen], fams = planning_town(families=families)
        return canteen.id, [fam.children[0].id for fam in fams], [fam.id for fam in fams]


def _post(client, **body):
    return client.post(URL, json=body)


def test_toggle_books_then_cancels_and_returns_the_cell(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    booked = _post(client, child_id=kid, service_id=canteen, day=MONDAY.isoformat(),
                   action="toggle")
    assert booked.status_code == 200
    assert booked.json["message"] == "Réservé."
    cell = booked.json["cell"]
    assert cell["state"] == "booked" and cell["label"] == "Réservé"
    assert cell["day"] == "2026-11-30" and cell["late"] is False and cell["editable"] is True
    assert cell["aria_label"].endswith("lundi 30 novembre : réservé. Activer pour annuler.")
    cancelled = _post(client, child_id=kid, service_id=canteen, day="2026-11-30",
                      action="toggle")
    assert cancelled.json["cell"]["state"] == "available"
    assert cancelled.json["message"] == "Réservation annulée."
    with app.app_context():
        assert bookings() == [(kid, canteen, MONDAY, BookingState.cancelled, None)]


def test_past_the_deadline_the_cell_becomes_a_request(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    response = _post(client, child_id=kid, service_id=canteen, day=FRIDAY.isoformat())
    assert response.status_code == 200
    assert response.json["cell"]["state"] == "pending"
    assert response.json["request_id"] is not None
    assert "Délai dépassé (jusqu'au mercredi 25 novembre à 10h00)" in response.json["message"]
    withdrawn = _post(client, child_id=kid, service_id=canteen, day=FRIDAY.isoformat())
    assert withdrawn.json["cell"]["state"] == "available"
    assert withdrawn.json["message"] == "Demande de réservation retirée."


def test_another_familys_child_is_refused_and_nothing_is_written(app, client):
    canteen, [_kid, other_kid], _fams = _town(app)
    f.login(client, "parent0")
    for action in ("toggle", "book", "cancel", "note"):
        response = _post(client, child_id=other_kid, service_id=canteen,
                         day=MONDAY.isoformat(), action=action, note="PIRATE")
        assert response.status_code == 400, action
        assert "Enfant inconnu." in response.json["messages"]
    with app.app_context():
        assert bookings() == [] and request_count() == 0


def test_another_familys_booking_on_a_shared_child_is_not_touched(app, client):
    """Separated parents: the day family B booked for their shared child is B's."""
    canteen, [kid, _other], [fam_a, fam_b] = _town(app)
    with app.app_context():
        child = db.session.get(Child, kid)
        family_b = db.session.get(Family, fam_b)
        family_b.children.append(child)
        db.session.add(Booking(family_id=fam_b, child_id=kid, service_id=canteen,
                               school_id=child.school_id, day=MONDAY))
        db.session.commit()
    f.login(client, "parent0")
    for action in ("toggle", "cancel", "withdraw"):
        response = _post(client, child_id=kid, service_id=canteen, day=MONDAY.isoformat(),
                         action=action)
        assert response.status_code == 400, action
        assert response.json["message"] == "Ce jour est géré par l'autre foyer de l'enfant."
    with app.app_context():
        assert bookings() == [(kid, canteen, MONDAY, BookingState.booked, None)]
        assert db.session.query(Booking).one().family_id == fam_b


def test_bad_input_gets_french_messages(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    cases = [
        ({"child_id": kid, "service_id": canteen, "day": WEDNESDAY.isoformat()},
         "Jour fermé : Mercredi sans école."),
        ({"child_id": kid, "service_id": canteen, "day": "30/11/2026"},
         "Date invalide : utilisez le format AAAA-MM-JJ."),
        ({"child_id": 999999, "service_id": canteen, "day": MONDAY.isoformat()},
         "Enfant inconnu."),
        ({"child_id": "abc", "service_id": canteen, "day": MONDAY.isoformat()},
         "Enfant inconnu."),
        ({"child_id": kid, "service_id": 999999, "day": MONDAY.isoformat()},
         "Service inconnu."),
        ({"child_id": kid, "service_id": canteen, "day": MONDAY.isoformat(), "action": "x"},
         "Action inconnue."),
        ({"child_id": kid, "service_id": canteen, "day": "2026-11-24", "action": "book"},
         "Cette journée est passée : elle ne peut plus être réservée."),
    ]
    for body, message in cases:
        response = _post(client, **body)
        assert response.status_code == 400, body
        assert message in response.json["messages"], (body, response.json)
    not_json = client.post(URL, data={"child_id": kid})
    assert not_json.status_code == 400
    assert not_json.json["message"] == "Requête invalide : envoyez un objet JSON."
    with app.app_context():
        assert bookings() == [] and request_count() == 0


def test_the_api_needs_a_logged_in_parent(app, client):
    canteen, [kid, _other], _fams = _town(app)
    anonymous = _post(client, child_id=kid, service_id=canteen, day=MONDAY.isoformat())
    assert anonymous.status_code == 401
    with app.app_context():
        f.user("agent", "Agent")
    f.login(client, "agent")
    staff = _post(client, child_id=kid, service_id=canteen, day=MONDAY.isoformat())
    assert staff.status_code in (401, 403)
    with app.app_context():
        assert bookings() == []


def test_csrf_token_of_the_page_is_required_when_csrf_is_on(app, client,
                                                            monkeypatch):
    """Development and production have CSRFProtect on: a POST without the page's token
    (a forged cross-site request riding the session cookie) changes nothing."""
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = {"child_id": kid, "service_id": canteen, "day": MONDAY.isoformat()}
    forged = client.post(URL, json=body)
    assert forged.status_code == 400
    with app.app_context():
        assert bookings() == []
    page = client.get("/famille/planning/2026-11").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    accepted = client.post(URL, json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.json["cell"]["state"] == "booked"


def test_the_read_api_still_lists_only_the_familys_bookings(app, client):
    canteen, [kid, other_kid], [fam_a, fam_b] = _town(app)
    f.login(client, "parent0")
    _post(client, child_id=kid, service_id=canteen, day=MONDAY.isoformat())
    with app.app_context():
        db.session.add(Booking(family_id=fam_b, child_id=other_kid, service_id=canteen,
                               school_id=db.session.get(Child, other_kid).school_id,
                               day=MONDAY))
        db.session.commit()
    listed = client.get("/api/v1/bookings/").json
    assert [(r["child_id"], r["day"], r["state"]) for r in listed["result"]] == [
        (kid, "2026-11-30", "booked")]
