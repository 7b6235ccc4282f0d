"""Every state transition of a planning cell, through the commands (no HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Alert, Attendance, Booking, BookingState, Request, RequestKind, RequestState
from app.services.reservations import CommandError
from app.services.reservations.day import ChangeDay
from app.services.reservations.decide import DecideRequests

from .builders import FRIDAY, MONDAY, NOW, set_capacity, town


def change(fam, kid, service, day, action, now=NOW, note=None):
    return ChangeDay(fam.id, kid.id, service.id, day, action, note=note, now=now).run()


def booking_of(kid, service, day) -> Booking | None:
    return db.session.query(Booking).filter_by(child_id=kid.id, service_id=service.id,
                                                day=day).one_or_none()


def test_booking_before_the_deadline_is_booked_at_once(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    outcome = change(fam, kid, canteen, MONDAY, "book")
    assert outcome.state == "booked" and outcome.request_id is None
    assert booking_of(kid, canteen, MONDAY).state == BookingState.booked


def test_booking_after_the_deadline_becomes_a_request_staff_validate(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    outcome = change(fam, kid, canteen, FRIDAY, "book")
    assert outcome.state == "pending"
    assert "Délai dépassé" in outcome.message
    request = db.session.get(Request, outcome.request_id)
    assert request.kind == RequestKind.booking and request.state == RequestState.pending
    DecideRequests([request.id], "validate", staff_user_id=None).run()
    assert booking_of(kid, canteen, FRIDAY).state == BookingState.booked
    assert db.session.get(Request, request.id).state == RequestState.validated
    assert db.session.query(Alert).filter_by(family_id=fam.id).count() == 1


def test_refusal_needs_a_reason_and_tells_the_family(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    request_id = change(fam, kid, canteen, FRIDAY, "book").request_id
    with pytest.raises(CommandError) as refused:
        DecideRequests([request_id], "refuse", staff_user_id=None).run()
    assert "motif" in refused.value.messages[0]
    assert db.session.get(Request, request_id).state == RequestState.pending
    DecideRequests([request_id], "refuse", None, reason="Effectif complet ce jour").run()
    assert booking_of(kid, canteen, FRIDAY).state == BookingState.refused
    alert = db.session.query(Alert).filter_by(family_id=fam.id).one()
    assert "refusée" in alert.title and "Effectif complet" in alert.message


def test_past_days_cannot_change(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    with pytest.raises(CommandError) as refused:
        change(fam, kid, canteen, dt.date(2026, 11, 24), "book")
    assert "passée" in refused.value.messages[0]
    assert booking_of(kid, canteen, dt.date(2026, 11, 24)) is None


def test_closed_days_are_refused_with_their_reason(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    with pytest.raises(CommandError) as wednesday:
        change(fam, kid, canteen, dt.date(2026, 12, 2), "book")
    assert "fermé" in wednesday.value.messages[0].lower()
    with pytest.raises(CommandError) as holidays:
        change(fam, kid, canteen, dt.date(2026, 12, 22), "book")
    assert "Noël" in holidays.value.messages[0]
    assert db.session.query(Booking).count() == 0


@pytest.mark.parametrize("bad", [
    {"child_id": 999_999}, {"child_id": "abc"}, {"day": "2026-13-45"}, {"day": "demain"},
    {"service_id": 999_999}, {"action": "delete"},
])
def test_bad_input_gets_a_french_message_and_changes_nothing(app_ctx, bad):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    args = {"child_id": kid.id, "service_id": canteen.id, "day": MONDAY, "action": "book"} | bad
    with pytest.raises(CommandError) as refused:
        ChangeDay(fam.id, args["child_id"], args["service_id"], args["day"], args["action"],
                  now=NOW).run()
    assert refused.value.messages
    assert db.session.query(Booking).count() == 0


def test_another_familys_child_is_unknown(app_ctx):
    school, canteen, [fam, other] = town(families=2)
    with pytest.raises(CommandError) as refused:
        change(fam, other.children[0], canteen, MONDAY, "book")
    assert refused.value.messages == ["Enfant inconnu."]


def test_no_booking_without_a_validated_enrolment(app_ctx):
    school, canteen, [fam] = town()
    from app.models import Enrolment, EnrolmentState

    db.session.query(Enrolment).update({"state": EnrolmentState.pending})
    db.session.commit()
    with pytest.raises(CommandError) as refused:
        change(fam, fam.children[0], canteen, MONDAY, "book")
    assert "inscription validée" in refused.value.messages[0]


def test_full_day_goes_to_the_waiting_list_and_a_freed_seat_goes_to_the_first(app_ctx):
    school, canteen, fams = town(capacity=1, families=3)
    first, second, third = (fam.children[0] for fam in fams)
    assert change(fams[0], first, canteen, MONDAY, "book").state == "booked"
    assert change(fams[1], second, canteen, MONDAY, "book").state == "pending"
    assert change(fams[2], third, canteen, MONDAY, "book").state == "pending"
    assert booking_of(second, canteen, MONDAY).state == BookingState.waiting
    change(fams[0], first, canteen, MONDAY, "cancel")
    assert booking_of(second, canteen, MONDAY).state == BookingState.booked
    assert booking_of(third, canteen, MONDAY).state == BookingState.waiting
    alert = db.session.query(Alert).filter_by(family_id=fams[1].id).one()
    assert "Place libérée" in alert.title
    waiting_request = db.session.query(Request).filter_by(family_id=fams[1].id).one()
    assert waiting_request.state == RequestState.validated


def test_cancel_before_the_deadline_frees_the_day(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    change(fam, kid, canteen, MONDAY, "book")
    outcome = change(fam, kid, canteen, MONDAY, "cancel")
    assert outcome.state == "available"
    assert booking_of(kid, canteen, MONDAY).state == BookingState.cancelled


def test_late_cancellation_is_pink_then_an_absence_billed_unless_excused(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    change(fam, kid, canteen, MONDAY, "book", now=dt.datetime(2026, 11, 20, 9))
    outcome = change(fam, kid, canteen, MONDAY, "cancel", now=dt.datetime(2026, 11, 27, 9))
    assert outcome.state == "cancellation" and "facturée" in outcome.message
    DecideRequests([outcome.request_id], "validate", None).run()
    row = booking_of(kid, canteen, MONDAY)
    assert row.state == BookingState.cancelled
    assert row.attendance == Attendance.absent_unexcused


def test_refused_late_cancellation_keeps_the_booking(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    change(fam, kid, canteen, MONDAY, "book", now=dt.datetime(2026, 11, 20, 9))
    outcome = change(fam, kid, canteen, MONDAY, "cancel", now=dt.datetime(2026, 11, 27, 9))
    DecideRequests([outcome.request_id], "refuse", None, reason="Trop tard").run()
    assert booking_of(kid, canteen, MONDAY).state == BookingState.booked


def test_late_modification_is_orange_until_staff_decide(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    change(fam, kid, canteen, MONDAY, "book", now=dt.datetime(2026, 11, 20, 9))
    late = dt.datetime(2026, 11, 27, 9)
    outcome = change(fam, kid, canteen, MONDAY, "note", now=late, note="Départ à 12h avec mamie")
    assert outcome.state == "modification"
    DecideRequests([outcome.request_id], "validate", None).run()
    row = booking_of(kid, canteen, MONDAY)
    assert row.state == BookingState.booked and row.note == "Départ à 12h avec mamie"


def test_family_can_withdraw_its_own_requests(app_ctx):
    school, canteen, [fam] = town()
    kid = fam.children[0]
    pending = change(fam, kid, canteen, FRIDAY, "book")
    assert change(fam, kid, canteen, FRIDAY, "toggle").state == "available"
    assert db.session.get(Request, pending.request_id).state == RequestState.withdrawn
    change(fam, kid, canteen, MONDAY, "book", now=dt.datetime(2026, 11, 20, 9))
    late = dt.datetime(2026, 11, 27, 9)
    assert change(fam, kid, canteen, MONDAY, "cancel", now=late).state == "cancellation"
    assert change(fam, kid, canteen, MONDAY, "toggle", now=late).state == "booked"


def test_manual_validation_service_always_asks_staff(app_ctx):
    school, canteen, [fam] = town(manual=True)
    outcome = change(fam, fam.children[0], canteen, MONDAY, "book")
    assert outcome.state == "pending" and outcome.request_id


def test_validating_a_late_booking_on_a_full_day_is_refused_and_changes_nothing(app_ctx):
    school, canteen, fams = town(capacity=1, families=2)
    late = change(fams[0], fams[0].children[0], canteen, FRIDAY, "book")
    change(fams[1], fams[1].children[0], canteen, FRIDAY, "book",
           now=dt.datetime(2026, 11, 20, 9))
    with pytest.raises(CommandError) as refused:
        DecideRequests([late.request_id], "validate", None).run()
    assert "complète" in refused.value.messages[0]
    assert db.session.get(Request, late.request_id).state == RequestState.pending
    set_capacity(canteen, school, 2)
    DecideRequests([late.request_id], "validate", None).run()
    assert booking_of(fams[0].children[0], canteen, FRIDAY).state == BookingState.booked


def test_shared_child_day_belongs_to_the_family_that_booked_it(app_ctx):
    school, canteen, [mother, father] = town(families=2)
    from app.models import Enrolment, EnrolmentState, SchoolYear

    kid = mother.children[0]
    father.children.append(kid)
    db.session.add(Enrolment(family=father, child=kid, service=canteen, school=school,
                             school_year=db.session.query(SchoolYear).one(),
                             state=EnrolmentState.validated))
    db.session.commit()
    change(mother, kid, canteen, MONDAY, "book")
    with pytest.raises(CommandError) as refused:
        change(father, kid, canteen, MONDAY, "cancel")
    assert "autre foyer" in refused.value.messages[0]
    assert booking_of(kid, canteen, MONDAY).family_id == mother.id
