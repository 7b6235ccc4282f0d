"""What the back office's home (tableau de bord) reads: a fixed number of statements
whatever the size of the town (tests/staff/test_dashboard.py counts them).

- the day's expected children per school and service, against the day's capacity;
- pending requests by age (oldest first) and the oldest ones;
- family documents to review; absences the families declared;
- the unpaid total past due (summed by the database: exact numeric sums, Decimal);
- this month's bookings against the same month of last year (same days of the month).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from ...extensions import db
from ...models import (
    SEAT_HOLDING_STATES,
    Booking,
    CreditNote,
    DocumentState,
    Family,
    FamilyDocument,
    Invoice,
    InvoiceState,
    Payment,
    Request,
    RequestKind,
    RequestState,
    School,
    Service,
    ServiceCapacity,
)
from ..calendar import PARIS
from ..money import to_money


@dataclass(frozen=True)
class Expected:
    school_id: int
    school: str
    service_id: int
    service: str
    count: int
    capacity: int | None

    @property
    def percent(self) -> int | None:
        if not self.capacity:
            return None
        return round(100 * self.count / self.capacity)


def expected_today(day: dt.date) -> list[Expected]:
    """Children expected on `day` (bookings holding a seat) per school and service, with
    the capacity; every service offered at a school appears, even with nobody booked."""
    booked = (
        select(Booking.school_id, Booking.service_id, func.count(Booking.id).label("n"))
        .where(Booking.day == day, Booking.state.in_(SEAT_HOLDING_STATES))
        .group_by(Booking.school_id, Booking.service_id)
        .subquery()
    )
    rows = db.session.execute(
        select(School.id, School.name, Service.id, Service.name,
               func.coalesce(booked.c.n, 0), ServiceCapacity.capacity)
        .select_from(ServiceCapacity)
        .join(School, School.id == ServiceCapacity.school_id)
        .join(Service, Service.id == ServiceCapacity.service_id)
        .outerjoin(booked, and_(booked.c.school_id == ServiceCapacity.school_id,
                                booked.c.service_id == ServiceCapacity.service_id))
        .where(Service.active.is_(True))
        .order_by(School.name, Service.name)
    ).all()
    return [Expected(*row) for row in rows]


def pending_requests_by_age(local: dt.datetime) -> dict[str, int]:
    """Pending requests counted by age band, oldest band first (`local`: now in Paris;
    `created_at` is naive UTC): over a week, 3 to 7 days, 1 to 2 days, less than a day."""
    now = local.replace(tzinfo=PARIS).astimezone(dt.UTC).replace(tzinfo=None)
    week, three, one = (now - dt.timedelta(days=n) for n in (8, 3, 1))
    bands = {
        "over_week": Request.created_at <= week,
        "days_3_7": and_(Request.created_at > week, Request.created_at <= three),
        "days_1_2": and_(Request.created_at > three, Request.created_at <= one),
        "today": Request.created_at > one,
    }
    row = db.session.execute(
        select(*(func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(key)
                 for key, condition in bands.items()))
        .where(Request.state == RequestState.pending)
    ).one()
    return {key: int(value) for key, value in row._mapping.items()}


def oldest_pending(limit: int = 5) -> list[tuple]:
    """The oldest pending requests: (created_at, family name, summary, kind)."""
    return db.session.execute(
        select(Request.created_at, Family.name, Request.summary, Request.kind)
        .join(Family, Family.id == Request.family_id)
        .where(Request.state == RequestState.pending)
        .order_by(Request.created_at, Request.id)
        .limit(limit)
    ).all()


def work_counts(day: dt.date) -> dict[str, int]:
    """Documents to review, absence declarations waiting, absences declared for `day`."""
    documents = select(func.count(FamilyDocument.id)).where(
        FamilyDocument.state == DocumentState.pending)
    absences = select(func.count(Request.id)).where(
        Request.kind == RequestKind.absence, Request.state == RequestState.pending)
    absent_today = (
        select(func.count(Request.id))
        .join(Booking, Booking.id == Request.booking_id)
        .where(Request.kind == RequestKind.absence, Booking.day == day,
               Request.state.in_((RequestState.pending, RequestState.validated)))
    )
    row = db.session.execute(select(documents.scalar_subquery(), absences.scalar_subquery(),
                                     absent_today.scalar_subquery())).one()
    return {"documents": row[0], "absences_pending": row[1], "absent_today": row[2]}


@dataclass(frozen=True)
class Unpaid:
    invoices: int
    amount: Decimal


def unpaid_past_due(today: dt.date) -> Unpaid:
    """Invoices past their due date still to pay, and what they still owe, summed by the
    database in one statement (a city has tens of thousands of them; the sums of
    numeric(10,2) columns are exact, and come back as Decimal to the cent)."""
    overdue = (Invoice.state.in_((InvoiceState.issued, InvoiceState.payment_pending)),
               Invoice.due_on < today)
    ids = select(Invoice.id).where(*overdue)

    def summed(column, *where):
        return (select(func.coalesce(func.sum(column), 0)).where(*where)
                .scalar_subquery())

    count, owed, paid, credited = db.session.execute(select(
        select(func.count(Invoice.id)).where(*overdue).scalar_subquery(),
        summed(Invoice.total, *overdue),
        summed(Payment.amount, Payment.invoice_id.in_(ids)),
        summed(CreditNote.amount, CreditNote.invoice_id.in_(ids)),
    )).one()
    return Unpaid(int(count), to_money(owed) - to_money(paid) - to_money(credited))


def _same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class MonthBookings:
    start: dt.date
    end: dt.date
    count: int
    last_year_start: dt.date
    last_year_end: dt.date
    last_year: int

    @property
    def change(self) -> int | None:
        """Percent change against last year (None without bookings last year)."""
        if not self.last_year:
            return None
        return round(100 * (self.count - self.last_year) / self.last_year)


def month_bookings(today: dt.date) -> MonthBookings:
    """Bookings holding a seat this month (the whole month, already booked days to come
    included) against the same month of last year, in one statement."""
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    before, before_end = _same_day_last_year(start), _same_day_last_year(end)
    this_month = Booking.day.between(start, end)
    last_year = Booking.day.between(before, before_end)
    row = db.session.execute(
        select(func.coalesce(func.sum(case((this_month, 1), else_=0)), 0),
               func.coalesce(func.sum(case((last_year, 1), else_=0)), 0))
        .where(Booking.state.in_(SEAT_HOLDING_STATES),
               (this_month | last_year))
    ).one()
    return MonthBookings(start, end, int(row[0]), before, before_end, int(row[1]))
