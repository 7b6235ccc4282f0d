"""Enrolments govern bookings: nothing is booked, waiting, on the attendance sheet, in the
kitchen count or billable outside a validated enrolment's dates; validating a change or a
cancellation applies to the future only and withdraws the pending requests of those days."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import (
    Alert,
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
)
from app.services.attendance import attendance_sheet
from app.services.errors import CommandError
from app.services.kitchen import kitchen_count
from app.services.reservations.day import ChangeDay
from app.services.reservations.decide import DecideRequests
from app.services.reservations.enrol import RequestEnrolmentChange
from app.services.reservations.planning import month_planning
from tests import factories as f
from tests.reservations.builders import NOW, set_capacity, town

PAST = dt.date(2026, 11, 23)  # Monday, already attended
DEC_7, DEC_8, DEC_10 = dt.date(2026, 12, 7), dt.date(2026, 12, 8), dt.date(2026, 12, 10)
JANUARY = dt.date(2027, 1, 4)


def _book(fam, kid, service, day):
    return ChangeDay(fam.id, kid.id, service.id, day, "book", now=NOW).run()


def _state(kid, service, day):
    booking = db.session.query(Booking).filter_by(child_id=kid.id, service_id=service.id,
                                                  day=day).one_or_none()
    return booking.state if booking else None


def _enrolment(fam, kid) -> Enrolment:
    return db.session.query(Enrolment).filter_by(family_id=fam.id, child_id=kid.id).one()


@pytest.fixture
def december(app_ctx):
    """Fam0's child booked on a past Monday and on 7 and 8 December; on 10 December the day
    is full (one seat, taken by Fam1) and Fam0 waits on the list (a pending request)."""
    school, canteen, (fam, other) = town(capacity=2, families=2)
    kid = fam.children[0]
    f.booking(fam, kid, canteen, PAST)
    _book(fam, kid, canteen, DEC_7)
    _book(fam, kid, canteen, DEC_8)
    set_capacity(canteen, school, 1)
    _book(other, other.children[0], canteen, DEC_10)
    waiting = _book(fam, kid, canteen, DEC_10)
    assert waiting.state == "pending" and waiting.request_id
    return school, canteen, fam, kid, db.session.get(Request, waiting.request_id)


def _validate_change(fam, kid, **dates) -> Request:
    request = RequestEnrolmentChange(fam.id, _enrolment(fam, kid).id, **dates).run()
    DecideRequests([request.id], "validate", staff_user_id=None).run()
    return request


def test_an_enrolment_moved_to_january_takes_december_away(december):
    school, canteen, fam, kid, waiting = december
    _validate_change(fam, kid, start_date=JANUARY.isoformat())
    # Future days outside the new dates: cancelled, not on the sheet, not in the kitchen count.
    assert _state(kid, canteen, DEC_7) == BookingState.cancelled
    assert _state(kid, canteen, DEC_8) == BookingState.cancelled
    assert kid.id not in {b.child_id for b in attendance_sheet(DEC_7, school.id, canteen.id)}
    count = kitchen_count(DEC_7, 2)
    assert (school.id, DEC_7) not in count.cells or count.cells[(school.id, DEC_7)].meals == 0
    assert kitchen_count(DEC_10, 1).cells[(school.id, DEC_10)].meals == 1  # Fam1 stays
    # The waiting-list request of 10 December is withdrawn, with an alert that says so.
    assert db.session.get(Request, waiting.id).state == RequestState.withdrawn
    alert = db.session.query(Alert).filter(Alert.family_id == fam.id,
                                           Alert.title.contains("hors de la période")).one()
    assert "07/12/2026" in alert.message and "ne seront pas facturés" in alert.message
    # The past day stays as it was (attended, billable).
    assert _state(kid, canteen, PAST) == BookingState.booked


def test_days_outside_the_enrolment_cannot_be_booked_and_the_planning_closes_them(december):
    school, canteen, fam, kid, _waiting = december
    _validate_change(fam, kid, start_date=JANUARY.isoformat())
    with pytest.raises(CommandError) as refused:
        _book(fam, kid, canteen, dt.date(2026, 12, 14))
    assert "hors de la période d'inscription" in refused.value.messages[0]
    assert _state(kid, canteen, dt.date(2026, 12, 14)) is None
    planning = month_planning(fam.id, dt.date(2026, 12, 1), NOW)
    cells = {c.day: c for c in planning.rows[0].cells}
    assert cells[DEC_7].state == "closed" and not cells[DEC_7].editable
    assert cells[DEC_7].reason == "Hors période d'inscription"
    january = {c.day: c for c in month_planning(fam.id, JANUARY, NOW).rows[0].cells}
    assert january[JANUARY].state == "available"
    assert _book(fam, kid, canteen, JANUARY).state == "booked"


def test_cancelling_an_enrolment_never_touches_past_bookings(december):
    school, canteen, fam, kid, waiting = december
    f.booking(fam, kid, canteen, dt.date(2026, 11, 24), state=BookingState.booked)
    request = RequestEnrolmentChange(fam.id, _enrolment(fam, kid).id, cancel=True).run()
    DecideRequests([request.id], "validate", staff_user_id=None).run()
    assert _enrolment(fam, kid).state == EnrolmentState.cancelled
    assert _state(kid, canteen, PAST) == BookingState.booked
    assert _state(kid, canteen, dt.date(2026, 11, 24)) == BookingState.booked
    assert _state(kid, canteen, DEC_7) == BookingState.cancelled
    # The withdrawn waiting-list request can no longer book the child again.
    with pytest.raises(CommandError) as refused:
        DecideRequests([waiting.id], "validate", staff_user_id=None).run()
    assert "déjà été traitée" in refused.value.messages[0]
    assert _state(kid, canteen, DEC_10) == BookingState.cancelled


def test_a_request_whose_enrolment_is_gone_cannot_be_validated(december, app):
    school, canteen, fam, kid, waiting = december
    set_capacity(canteen, school, 5)
    _enrolment(fam, kid).state = EnrolmentState.cancelled  # e.g. refused in the back office
    db.session.commit()
    with pytest.raises(CommandError) as refused:
        DecideRequests([waiting.id], "validate", staff_user_id=None).run()
    assert "aucune inscription validée ne couvre ce jour" in refused.value.messages[0]
    assert _state(kid, canteen, DEC_10) == BookingState.waiting


def test_a_request_for_a_past_day_cannot_be_validated(december, app, monkeypatch):
    school, canteen, fam, kid, waiting = december
    set_capacity(canteen, school, 5)
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-11T09:00:00")
    with pytest.raises(CommandError) as refused:
        DecideRequests([waiting.id], "validate", staff_user_id=None).run()
    assert "le jour (10/12/2026) est passé" in refused.value.messages[0]
    assert db.session.get(Request, waiting.id).state == RequestState.pending


def test_a_batch_with_a_booking_and_the_enrolment_cancellation_leaves_nothing_booked(december):
    school, canteen, fam, kid, waiting = december
    cancel = RequestEnrolmentChange(fam.id, _enrolment(fam, kid).id, cancel=True).run()
    assert cancel.kind == RequestKind.enrolment_cancel
    set_capacity(canteen, school, 5)
    DecideRequests([cancel.id, waiting.id], "validate", staff_user_id=None).run()
    assert _state(kid, canteen, DEC_10) == BookingState.cancelled
    assert _state(kid, canteen, DEC_7) == BookingState.cancelled
