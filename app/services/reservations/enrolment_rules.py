"""Enrolments govern bookings: a booking, a waiting-list entry, an attendance row, a kitchen
count and an invoice line exist only inside a validated enrolment's dates
(child × service × school × year).

- `enrolment_span`: the dates an enrolment covers (its own dates, else its school year's);
- `covering_enrolment`: the validated enrolment of a family covering a day, if any;
- `apply_enrolment_bounds`: after an enrolment change or cancellation is validated (in the
  queue or in the back office), future bookings outside the new dates are cancelled (never
  billed: no attendance) and the pending requests on those days withdrawn, with an alert to
  the family. Past days, and days already invoiced, stay as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_

from ...extensions import db
from ...models import (
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Invoice,
    Request,
    RequestState,
    SchoolYear,
)
from ...models.base import utcnow
from ..alerts import alert_family

#: Booking states a cancelled or shortened enrolment takes away (the child keeps no seat,
#: no request stays open).
LIVE_STATES = (
    BookingState.booked,
    BookingState.pending,
    BookingState.waiting,
    BookingState.modification,
    BookingState.cancellation,
)


def enrolment_span(enrolment: Enrolment, year: SchoolYear | None = None) -> tuple[dt.date, dt.date]:
    """First and last day covered by the enrolment (its school year's when not given)."""
    year = year or enrolment.school_year
    start = max(enrolment.start_date or year.start_date, year.start_date)
    end = min(enrolment.end_date or year.end_date, year.end_date)
    return start, end


def covers(enrolment: Enrolment | None, day: dt.date) -> bool:
    if enrolment is None or enrolment.state != EnrolmentState.validated:
        return False
    start, end = enrolment_span(enrolment)
    return start <= day <= end


def outside_message(enrolment: Enrolment) -> str:
    start, end = enrolment_span(enrolment)
    return _(
        "Ce jour est hors de la période d'inscription (du %(start)s au %(end)s).",
        start=f"{start:%d/%m/%Y}",
        end=f"{end:%d/%m/%Y}",
    )


def covering_enrolment(
    family_id: int, child_id: int, service_id: int, day: dt.date
) -> Enrolment | None:
    """The family's validated enrolment of the child in the service covering `day`."""
    enrolments = (
        db.session.query(Enrolment)
        .join(SchoolYear, SchoolYear.id == Enrolment.school_year_id)
        .filter(
            Enrolment.family_id == family_id,
            Enrolment.child_id == child_id,
            Enrolment.service_id == service_id,
            Enrolment.state == EnrolmentState.validated,
            SchoolYear.start_date <= day,
            SchoolYear.end_date >= day,
        )
        .all()
    )
    return next((e for e in enrolments if covers(e, day)), None)


@dataclass
class BoundsResult:
    cancelled: list[Booking]
    withdrawn: list[Request]


def _invoiced_months(family_id: int) -> set[dt.date]:
    return {
        month
        for (month,) in db.session.query(Invoice.period_start).filter(
            Invoice.family_id == family_id
        )
    }


def apply_enrolment_bounds(enrolment: Enrolment, today: dt.date) -> BoundsResult:
    """Cancel the enrolment's future bookings outside its (new) dates, withdraw their
    pending requests and tell the family. Runs inside the caller's transaction."""
    year = db.session.get(SchoolYear, enrolment.school_year_id)
    start, end = enrolment_span(enrolment, year)
    validated = enrolment.state == EnrolmentState.validated
    query = db.session.query(Booking).filter(
        Booking.family_id == enrolment.family_id,
        Booking.child_id == enrolment.child_id,
        Booking.service_id == enrolment.service_id,
        Booking.day > today,
        Booking.day >= year.start_date,
        Booking.day <= year.end_date,
        Booking.state.in_(LIVE_STATES),
    )
    if validated:
        query = query.filter(or_(Booking.day < start, Booking.day > end))
    bookings = query.order_by(Booking.day).all()
    invoiced = _invoiced_months(enrolment.family_id) if bookings else set()
    result = BoundsResult([], [])
    for booking in bookings:
        if booking.day.replace(day=1) in invoiced:
            continue  # an issued invoice never changes: its days stay as they are
        requests = (
            db.session.query(Request)
            .filter_by(booking_id=booking.id, state=RequestState.pending)
            .all()
        )
        for request in requests:
            request.state, request.decided_at = RequestState.withdrawn, utcnow()
            request.reason = _("Retirée : le jour est hors de la période d'inscription.")
            result.withdrawn.append(request)
        booking.state, booking.attendance = BookingState.cancelled, None
        result.cancelled.append(booking)
    db.session.flush()
    if result.cancelled:
        _alert(enrolment, result)
    return result


def _alert(enrolment: Enrolment, result: BoundsResult) -> None:
    days = ", ".join(f"{b.day:%d/%m/%Y}" for b in result.cancelled[:10])
    if len(result.cancelled) > 10:
        days += "…"
    message = _(
        "Suite à la modification de l'inscription de %(child)s au service « %(service)s », "
        "%(count)s jour(s) hors de la période d'inscription sont annulés et ne seront pas "
        "facturés : %(days)s. Demandes retirées : %(withdrawn)s.",
        child=enrolment.child.first_name,
        service=enrolment.service.name,
        count=len(result.cancelled),
        days=days,
        withdrawn=len(result.withdrawn),
    )
    alert_family(
        enrolment.family_id,
        _("Réservations annulées hors de la période d'inscription"),
        message,
        kind="request_decision",
    )
