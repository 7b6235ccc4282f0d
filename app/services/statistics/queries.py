"""What the statistics page reads, one statement per figure whatever the period, grouped
in SQL by day and bucketed in Python by day, ISO week or month (portable between SQLite
and PostgreSQL). Money is summed in Python (`money.total`).

Definitions (written on the page too):
- bookings: bookings holding a seat on the day (booked, or with a change or cancellation
  request still waiting), by the day of service;
- attendance: bookings marked present; no-shows: bookings holding a seat marked absent
  without excuse;
- occupancy: for each day with bookings, the bookings against the day's capacity;
- late cancellations: cancellations asked after the deadline (they are requests for staff;
  earlier ones apply at once and are not counted), by the booking's day and decision;
- revenue: invoices by billed month: invoiced, credited, paid (payments on those
  invoices), still due;
- payment methods: payments received in the period, by method.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import (
    SEAT_HOLDING_STATES,
    Attendance,
    Booking,
    CreditNote,
    Invoice,
    Payment,
    Request,
    RequestKind,
    School,
    Service,
    ServiceCapacity,
)
from ..money import total

GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    grain: str = "month"
    school_id: int | None = None
    service_id: int | None = None


def bucket(day: dt.date, grain: str) -> dt.date:
    """The first day of `day`'s bucket: the day, its ISO week's Monday, its month."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def buckets(filters: Filters) -> list[dt.date]:
    """Every bucket of the period, in order (empty ones included)."""
    found, day = [], filters.start
    while day <= filters.end:
        first = bucket(day, filters.grain)
        if not found or found[-1] != first:
            found.append(first)
        day += dt.timedelta(days=1)
    return found


def _booking_scope(statement, filters: Filters):
    statement = statement.where(Booking.day.between(filters.start, filters.end))
    if filters.school_id:
        statement = statement.where(Booking.school_id == filters.school_id)
    if filters.service_id:
        statement = statement.where(Booking.service_id == filters.service_id)
    return statement


@dataclass
class DayCounts:
    booked: int = 0
    present: int = 0
    no_show: int = 0
    excused: int = 0


def booking_days(filters: Filters) -> dict[tuple[int, int, dt.date], DayCounts]:
    """(school id, service id, day) → bookings holding a seat, presences, no-shows and
    excused absences, in one statement."""
    held = Booking.state.in_(SEAT_HOLDING_STATES)

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    statement = _booking_scope(
        select(Booking.school_id, Booking.service_id, Booking.day, counted(held),
               counted(held & (Booking.attendance == Attendance.present)),
               counted(held & (Booking.attendance == Attendance.absent_unexcused)),
               counted(held & (Booking.attendance == Attendance.absent_excused)))
        .group_by(Booking.school_id, Booking.service_id, Booking.day),
        filters,
    )
    return {(school, service, day): DayCounts(*map(int, counts))
            for school, service, day, *counts in db.session.execute(statement)}


def names() -> tuple[dict[int, str], dict[int, str]]:
    """School and service names (for filters and tables)."""
    schools = dict(db.session.execute(select(School.id, School.name).order_by(School.name)).all())
    services = dict(db.session.execute(
        select(Service.id, Service.name).order_by(Service.name)).all())
    return schools, services


def capacities() -> dict[tuple[int, int], int]:
    return {(school, service): capacity for school, service, capacity in db.session.execute(
        select(ServiceCapacity.school_id, ServiceCapacity.service_id, ServiceCapacity.capacity))}


def late_cancellations(filters: Filters) -> dict[tuple[dt.date, str], int]:
    """(booking day, request state) → cancellation requests (asked past the deadline)."""
    statement = _booking_scope(
        select(Booking.day, Request.state, func.count(Request.id))
        .join(Booking, Booking.id == Request.booking_id)
        .where(Request.kind == RequestKind.cancellation)
        .group_by(Booking.day, Request.state),
        filters,
    )
    return {(day, state): count for day, state, count in db.session.execute(statement)}


@dataclass
class Revenue:
    invoiced: list = field(default_factory=list)
    credited: list = field(default_factory=list)
    paid: list = field(default_factory=list)

    def totals(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        invoiced, credited, paid = total(self.invoiced), total(self.credited), total(self.paid)
        return invoiced, credited, paid, invoiced - credited - paid


def revenue(filters: Filters) -> dict[dt.date, Revenue]:
    """Billed month → invoiced, credited and paid amounts of its invoices (three
    statements). The school and service filters do not apply: an invoice is a family's."""
    months = select(Invoice.id).where(
        Invoice.period_start.between(filters.start.replace(day=1), filters.end))
    found: dict[dt.date, Revenue] = defaultdict(Revenue)
    month_of: dict[int, dt.date] = {}
    for invoice_id, month, amount in db.session.execute(
            select(Invoice.id, Invoice.period_start, Invoice.total)
            .where(Invoice.id.in_(months))):
        month_of[invoice_id] = month.replace(day=1)
        found[month.replace(day=1)].invoiced.append(amount)
    for slot, model in (("credited", CreditNote), ("paid", Payment)):
        for invoice_id, amount in db.session.execute(
                select(model.invoice_id, model.amount).where(model.invoice_id.in_(months))):
            getattr(found[month_of[invoice_id]], slot).append(amount)
    return dict(found)


def payment_methods(filters: Filters) -> dict[str, tuple[int, Decimal]]:
    """Method → (number of payments, amount) of the payments received in the period."""
    amounts: dict[str, list] = defaultdict(list)
    for method, amount in db.session.execute(
            select(Payment.method, Payment.amount)
            .where(Payment.received_on.between(filters.start, filters.end))):
        amounts[method].append(amount)
    return {method: (len(values), total(values)) for method, values in amounts.items()}
