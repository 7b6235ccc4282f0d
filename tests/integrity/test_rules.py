"""Rules the suite did not hold: each of these tests fails when its rule is broken."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Service
from app.security.roles import ADMIN
from app.services.attendance import RecordAttendance
from app.services.billing.run import bill_month
from app.services.errors import CommandError
from app.services.reservations.day import ChangeDay
from tests import factories as f
from tests.billing.builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf
from tests.billing.builders import town as billing_town
from tests.reservations.builders import NOW, town


def test_the_latest_valid_qf_attestation_wins_when_two_overlap(app_ctx):
    t = billing_town()
    fam = family("Qf", t)
    set_qf(fam, 500, dt.date(2026, 1, 1), dt.date(2026, 12, 31))  # 3,20 € a meal
    set_qf(fam, 1200, dt.date(2026, 9, 1), dt.date(2027, 8, 31))  # newer: 5,10 €
    book(fam, fam.children[0], t.canteen, school_days(SEPTEMBER)[:2])
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    assert [line.unit_price for line in invoice.lines] == [Decimal("5.10")]


def test_a_booked_day_cannot_be_cancelled_or_withdrawn_on_the_day_itself(app_ctx):
    school, canteen, (fam,) = town(manual=False)
    kid = fam.children[0]
    today = NOW.date()  # Thursday 26/11, 09:00
    f.booking(fam, kid, canteen, today)
    with pytest.raises(CommandError) as refused:
        ChangeDay(fam.id, kid.id, canteen.id, today, "cancel", now=NOW).run()
    assert "passée" in refused.value.messages[0]
    db.session.query(Booking).filter_by(day=today).one().state = BookingState.cancellation
    db.session.commit()
    with pytest.raises(CommandError):
        ChangeDay(fam.id, kid.id, canteen.id, today, "withdraw", now=NOW).run()
    assert db.session.query(Booking).filter_by(day=today).one().state == \
        BookingState.cancellation


def test_attendance_cannot_be_recorded_for_a_future_day(app_ctx):
    school, canteen, (fam,) = town()
    tomorrow = NOW.date() + dt.timedelta(days=1)
    booking = f.booking(fam, fam.children[0], canteen, tomorrow)
    with pytest.raises(CommandError) as refused:
        RecordAttendance(tomorrow, school.id, canteen.id, {booking.id: "present"}, None,
                         today=NOW.date()).run()
    assert "aujourd'hui ou un jour passé" in refused.value.messages[0]
    assert db.session.get(Booking, booking.id).attendance is None


@pytest.mark.parametrize(("kind", "value"), [("weekday_previous_week", "9"),
                                             ("working_days_before", "400")])
def test_a_deadline_rule_the_planning_cannot_compute_is_refused_when_staff_save_it(
        app, client, kind, value):
    with app.app_context():
        school = f.school()
        service_id = f.service("cantine", schools=[school]).id
        f.user("admin1", ADMIN)
    f.login(client, "admin1")
    response = client.post(f"/gestion/services/edit/{service_id}", data={
        "code": "cantine", "name": "Cantine", "kind": "canteen", "description": "",
        "active": "y", "booking_deadline_kind": kind, "booking_deadline_value": value,
        "booking_deadline_time": "10:00", "cancel_deadline_kind": "working_days_before",
        "cancel_deadline_value": "2", "cancel_deadline_time": "10:00",
    }, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    assert "doit être compris entre" in text
    with app.app_context():
        assert db.session.get(Service, service_id).booking_deadline_value != int(value)
