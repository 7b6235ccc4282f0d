"""The kitchen count (effectifs cuisine): meals per school for the coming open days, by diet,
with the number of children with a PAI, in a constant number of queries.

A meal is a canteen booking holding a seat (confirmed, or with a change or cancellation
still waiting for staff); children who came without booking are booked rows too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATES,
    Booking,
    Child,
    Diet,
    School,
    SchoolYear,
    Service,
    ServiceCapacity,
    ServiceKind,
)
from .calendar import OpeningCalendar

#: How far ahead the kitchen count looks for its open days (summer holidays included).
MAX_LOOKAHEAD_DAYS = 120
MAX_KITCHEN_DAYS = 20


@dataclass
class KitchenCell:
    meals: int = 0
    pai: int = 0
    diets: dict[str, int] = field(default_factory=dict)
    closed: str | None = None


@dataclass
class KitchenCount:
    days: list[dt.date]
    schools: list[School]
    cells: dict[tuple[int, dt.date], KitchenCell]
    diet_labels: dict[str, str]

    def cell(self, school: School, day: dt.date) -> KitchenCell:
        return self.cells.get((school.id, day)) or KitchenCell()

    def day_total(self, day: dt.date) -> KitchenCell:
        total = KitchenCell()
        for school in self.schools:
            cell = self.cell(school, day)
            total.meals += cell.meals
            total.pai += cell.pai
            for diet, count in cell.diets.items():
                total.diets[diet] = total.diets.get(diet, 0) + count
        return total


def _calendars(start: dt.date) -> list[OpeningCalendar]:
    years = (
        db.session.query(SchoolYear)
        .filter(SchoolYear.end_date >= start)
        .order_by(SchoolYear.start_date)
        .limit(2)
        .all()
    )
    return [OpeningCalendar.for_school_year(year) for year in years]


def coming_open_days(start: dt.date, count: int, calendars: list[OpeningCalendar]) -> list:
    """The first `count` days from `start` on which schools are open (town-wide closures,
    holidays and days without school skipped; a closure of one school is shown in its cell)."""
    days, day = [], start
    last = start + dt.timedelta(days=MAX_LOOKAHEAD_DAYS)
    while len(days) < count and day <= last:
        calendar = next((c for c in calendars if c.start <= day <= c.end), None)
        if calendar is not None and calendar.is_open(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _canteen_schools() -> list[tuple[School, int]]:
    """Schools with a canteen, each with its (first) canteen service."""
    rows = (
        db.session.query(School, ServiceCapacity.service_id)
        .join(ServiceCapacity, ServiceCapacity.school_id == School.id)
        .join(Service, Service.id == ServiceCapacity.service_id)
        .filter(Service.kind == ServiceKind.canteen, Service.active.is_(True))
        .order_by(School.name, ServiceCapacity.service_id)
        .all()
    )
    seen: dict[int, tuple[School, int]] = {}
    for school, service_id in rows:
        seen.setdefault(school.id, (school, service_id))
    return list(seen.values())


def kitchen_count(start: dt.date, count: int = 5) -> KitchenCount:
    """Meals (canteen bookings holding a seat) per school and open day, by diet, with the
    number of children with a PAI. A constant number of queries."""
    count = max(1, min(count, MAX_KITCHEN_DAYS))
    calendars = _calendars(start)
    days = coming_open_days(start, count, calendars)
    schools = _canteen_schools()
    cells: dict[tuple[int, dt.date], KitchenCell] = defaultdict(KitchenCell)
    if days:
        rows = db.session.execute(
            select(Booking.school_id, Booking.day, Child.diet, Child.has_pai,
                   func.count(Booking.id))
            .join(Child, Child.id == Booking.child_id)
            .join(Service, Service.id == Booking.service_id)
            .where(
                Service.kind == ServiceKind.canteen,
                Booking.day.in_(days),
                Booking.state.in_(SEAT_HOLDING_STATES),
            )
            .group_by(Booking.school_id, Booking.day, Child.diet, Child.has_pai)
        ).all()
        for school_id, day, diet, has_pai, meals in rows:
            cell = cells[(school_id, day)]
            cell.meals += meals
            cell.pai += meals if has_pai else 0
            cell.diets[diet] = cell.diets.get(diet, 0) + meals
    for school, service_id in schools:
        for day in days:
            calendar = next((c for c in calendars if c.start <= day <= c.end), None)
            reason = calendar.closed_reason(day, school.id, service_id) if calendar else None
            if reason:
                cells[(school.id, day)].closed = reason
    return KitchenCount(days, [s for s, _id in schools], dict(cells), Diet.labels())
