"""The parent's monthly planning: one cell per child × enrolled service × day of the month,
built in a constant number of queries whatever the number of children and days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import (
    Booking,
    Child,
    Enrolment,
    EnrolmentState,
    SchoolYear,
    Service,
    family_child,
)
from ..calendar import OpeningCalendar
from ..deadlines import ChangeTiming, booking_deadline, cancellation_deadline, change_timing
from .day import cell_state
from .enrolment_rules import enrolment_span
from .seats import SeatsLeft

STATE_LABELS = {
    "booked": _l("Réservé"),
    "pending": _l("En attente"),
    "modification": _l("Modification demandée"),
    "cancellation": _l("Annulation demandée"),
    "available": _l("Disponible"),
    "closed": _l("Fermé"),
}
#: What an available day says before the parent clicks, when seats run out (seats.py).
SEATS_LABELS = {"last": _l("Dernières places"), "full": _l("Complet – liste d'attente")}


@dataclass
class Cell:
    day: dt.date
    state: str
    reason: str | None = None  # why closed, or the family's note
    late: bool = False  # a change now becomes a request (past the deadline)
    editable: bool = True
    seats: str | None = None  # an available day: "last" (few seats left) or "full"

    @property
    def label(self) -> str:
        if self.seats and self.state == "available":
            return str(SEATS_LABELS[self.seats])
        return str(STATE_LABELS[self.state])


@dataclass
class PlanningRow:
    child: Child
    service: Service
    cells: list[Cell] = field(default_factory=list)


@dataclass
class MonthPlanning:
    month: dt.date
    days: list[dt.date]
    rows: list[PlanningRow]


def month_days(month: dt.date) -> list[dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=n) for n in range((following - first).days)]


def month_planning(
    family_id: int, month: dt.date, now: dt.datetime, children: list[Child] | None = None
) -> MonthPlanning:
    """`children`: the family's, ordered by first name, when the caller already has them."""
    days = month_days(month)
    if children is None:
        children = (
            db.session.query(Child)
            .join(family_child, family_child.c.child_id == Child.id)
            .filter(family_child.c.family_id == family_id)
            .order_by(Child.first_name, Child.id)
            .all()
        )
    years = (
        db.session.query(SchoolYear)
        .filter(SchoolYear.start_date <= days[-1], SchoolYear.end_date >= days[0])
        .all()
    )
    calendars = [OpeningCalendar.for_school_year(year) for year in years]
    enrolments = (
        db.session.query(Enrolment, Service)
        .join(Service, Service.id == Enrolment.service_id)
        .filter(
            Enrolment.family_id == family_id,
            Enrolment.state == EnrolmentState.validated,
            Enrolment.school_year_id.in_([y.id for y in years]),
        )
        .order_by(Service.id, Enrolment.id)
        .all()
    )
    by_year = {year.id: year for year in years}
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = {}
    services: dict[tuple[int, int], Service] = {}
    for enrolment, service in enrolments:
        key = (enrolment.child_id, service.id)
        services.setdefault(key, service)
        spans.setdefault(key, []).append(
            enrolment_span(enrolment, by_year[enrolment.school_year_id])
        )
    bookings = _bookings(children, days)
    seats = SeatsLeft.load(children, [service for _enrolment, service in enrolments], days)
    rows = []
    for child in children:
        for (child_id, _service_id), service in services.items():
            if child_id == child.id:
                row = PlanningRow(child, service)
                enrolled = spans[(child_id, service.id)]
                row.cells = [
                    _cell(family_id, child, service, day, calendars, bookings, now, enrolled,
                          seats)
                    for day in days
                ]
                rows.append(row)
    return MonthPlanning(days[0], days, rows)


def _bookings(children: list[Child], days: list[dt.date]) -> dict[tuple, Booking]:
    if not children:
        return {}
    rows = (
        db.session.query(Booking)
        .filter(
            Booking.child_id.in_([c.id for c in children]), Booking.day.between(days[0], days[-1])
        )
        .all()
    )
    return {(b.child_id, b.service_id, b.day): b for b in rows}


def _cell(family_id, child, service, day, calendars, bookings, now, enrolled=None,
          seats=None) -> Cell:
    calendar = next((c for c in calendars if c.start <= day <= c.end), None)
    reason = (
        calendar.closed_reason(day, child.school_id, service.id)
        if calendar
        else str(_l("Hors année scolaire"))
    )
    if reason:
        return Cell(day, "closed", reason, editable=False)
    booking = bookings.get((child.id, service.id, day))
    outside = enrolled is not None and not any(start <= day <= end for start, end in enrolled)
    if outside and (booking is None or cell_state(booking) == "available"):
        return Cell(day, "closed", str(_l("Hors période d'inscription")), editable=False)
    if (
        booking is not None
        and booking.family_id != family_id
        and cell_state(booking) != "available"
    ):
        return Cell(day, "closed", str(_l("Géré par l'autre foyer de l'enfant")), editable=False)
    if booking is not None and booking.family_id != family_id:
        # The other household's cancelled day is free for this one; nothing of that
        # booking (its note, its attendance) is shown (separated parents).
        booking = None
    state = cell_state(booking)
    deadline = (cancellation_deadline if state == "booked" else booking_deadline)(service, day)
    timing = change_timing(day, deadline, now)
    editable = timing != ChangeTiming.past
    return Cell(
        day,
        state,
        booking.note if booking else None,
        late=timing == ChangeTiming.request,
        editable=editable,
        seats=seats.state(service, child.school_id, day) if seats and editable else None,
    )
