"""Dates for the demo town: the period it covers, seen from the day it is loaded.
Open days come from app.services.calendar (the same rules parents book under)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import SchoolYear
from ..services.calendar import public_holidays


def clamp(day: dt.date, start: dt.date, end: dt.date) -> dt.date:
    return min(max(day, start), end)


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(day: dt.date) -> dt.date:
    index = day.year * 12 + day.month
    return dt.date(index // 12, index % 12 + 1, 1)


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def first_working_day(day: dt.date) -> dt.date:
    """`day`, or the next weekday that is not a public holiday (invoices are issued then)."""
    public = public_holidays(day.year)
    while day.weekday() >= 5 or day in public:
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Period:
    """What the demo covers, seen from `today`: bookings from `start` to `end` (the end of
    next week), attendance before `today`, invoices for the complete `months`."""

    today: dt.date
    anchor: dt.date  # today, kept inside the school year
    start: dt.date
    end: dt.date
    months: tuple[dt.date, ...]


def period_for(today: dt.date, year: SchoolYear, billed_months: int = 2,
               full_year: bool = False) -> Period:
    """`full_year` (benchmarks): bookings over the whole school year, as families who book
    the year ahead, and every complete month invoiced."""
    anchor = clamp(today, year.start_date, year.end_date)
    if full_year:
        start, end, billed_months = year.start_date, year.end_date, 12
    else:
        start = max(year.start_date, month_start(anchor, billed_months))
        end = min(year.end_date, week_monday(anchor) + dt.timedelta(days=11))
    months = []
    month = month_start(start)
    while next_month(month) <= anchor and first_working_day(next_month(month)) <= today:
        months.append(month)
        month = next_month(month)
    return Period(today, anchor, start, end, tuple(months[-billed_months:]))
