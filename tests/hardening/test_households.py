"""Finding 2: separated parents share a child; each household's per-booking fields (the note
to the service, the attendance) are shown only to that household and to staff, also once
its booking is cancelled (the day is then free for the other household)."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingState,
    Child,
    Enrolment,
    EnrolmentState,
    Family,
)
from app.security.roles import MANAGER
from tests import factories as f
from tests.parent.planning_data import MONDAY, fixed_now, planning_town  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixed_now")
SECRET = "Chez Papa : départ 16h30 avec Mme Secret-Foyer-B"
MONTH = f"/famille/planning/{MONDAY:%Y-%m}"


@pytest.fixture
def shared(app):
    with app.app_context():
        _school, [canteen], [fam_a, fam_b] = planning_town(families=2)
        kid = fam_a.children[0]
        db.session.get(Family, fam_b.id).children.append(db.session.get(Child, kid.id))
        db.session.add(Enrolment(family_id=fam_b.id, child_id=kid.id, service_id=canteen.id,
                                 school_id=kid.school_id, school_year=f.school_year(),
                                 state=EnrolmentState.validated))
        db.session.add(Booking(family_id=fam_b.id, child_id=kid.id, service_id=canteen.id,
                               school_id=kid.school_id, day=MONDAY, note=SECRET,
                               state=BookingState.cancelled,
                               attendance=Attendance.absent_unexcused))
        f.user("chef", MANAGER)
        db.session.commit()
        return {"kid": kid.id, "canteen": canteen.id, "a": fam_a.id, "b": fam_b.id}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def test_the_other_households_note_is_not_on_the_planning(client, shared):
    f.login(client, "parent0")  # household A
    page = _text(client.get(MONTH))
    assert "Secret-Foyer-B" not in page
    # No « remark sent » flag on A's cell either (the one flag left is the legend's).
    assert page.count('data-note="true"') == 1


def test_the_other_households_note_is_not_in_the_api_answer(client, shared):
    f.login(client, "parent0")
    for action in ("cancel", "withdraw", "note"):
        response = client.post("/api/v1/bookings/change", json={
            "child_id": shared["kid"], "service_id": shared["canteen"],
            "day": MONDAY.isoformat(), "action": action, "note": "x"})
        assert "Secret-Foyer-B" not in response.get_data(as_text=True), action


def test_the_other_households_history_and_attendance_stay_its_own(client, shared):
    f.login(client, "parent0")
    assert "Secret-Foyer-B" not in _text(client.get("/api/v1/bookings/"))
    listing = _text(client.get("/parentbookingview/list/"))
    assert "Absent" not in listing


def test_the_owning_household_and_staff_still_see_the_note(app, client, shared):
    with app.app_context():  # household B's booking is booked again: its note shows to B
        booking = db.session.query(Booking).one()
        booking.state = BookingState.booked
        db.session.commit()
    f.login(client, "parent1")
    assert "Secret-Foyer-B" in _text(client.get(MONTH))
    staff = app.test_client()
    f.login(staff, "chef")
    with app.app_context():
        booking_id = db.session.query(Booking).one().id
    assert "Secret-Foyer-B" in _text(staff.get(f"/gestion/reservations/show/{booking_id}"))
