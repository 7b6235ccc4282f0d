"""What is billed, at which price (domain rules 3, 4 and 5).

Billed days (billing reads attendance where recorded, bookings otherwise):
- a confirmed booking (booked, or with a change/cancellation request still waiting): billed
  unless the absence is excused (present, absent unexcused, or not recorded → billed);
- an accepted late cancellation (state cancelled, attendance absent unexcused): billed;
- a presence without booking (unbooked, attendance present): billed at the surcharge price.
Waiting, pending, refused and cancelled bookings (without absence) are not billed.

Price: the service's tariff for the school year of the day, the bracket of the family's QF
valid on that day (the most recent attestation when two overlap); no valid QF → the highest
bracket. Money is Decimal end to end: never summed in SQL (SQLite stores floats).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    SEAT_HOLDING_STATES,
    Attendance,
    Booking,
    BookingState,
    QuotientFamilial,
    SchoolYear,
    Service,
    Tariff,
    TariffBracket,
)
from ..errors import CommandError
from ..money import quotient_on, to_money

_CHUNK = 500  # ids per IN (…) list


class PricingError(CommandError, ValueError):
    """A billed day has no price (no tariff, no bracket for the QF): the run stops."""


def line_amount(unit_price: Decimal, quantity: int) -> Decimal:
    return to_money(to_money(unit_price) * quantity)


@dataclass(frozen=True)
class BillableDay:
    family_id: int
    child_id: int
    service_id: int
    day: dt.date
    surcharge: bool  # presence without booking
    unexcused_absence: bool


def billed_clause():
    """SQL condition on Booking: the day is billed (see the module's docstring)."""
    return or_(
        and_(Booking.unbooked == 1, Booking.attendance == Attendance.present),
        and_(
            Booking.unbooked == 0,
            Booking.state.in_(SEAT_HOLDING_STATES),
            or_(Booking.attendance.is_(None), Booking.attendance != Attendance.absent_excused),
        ),
        and_(
            Booking.unbooked == 0,
            Booking.state == BookingState.cancelled,
            Booking.attendance == Attendance.absent_unexcused,
        ),
    )


def billable_days(start: dt.date, end: dt.date,
                  family_ids: Iterable[int] | None = None) -> list[BillableDay]:
    """Billed days from start to end (inclusive), of every family or of `family_ids`."""
    query = (
        select(Booking.family_id, Booking.child_id, Booking.service_id, Booking.day,
               Booking.unbooked, Booking.attendance)
        .where(Booking.day.between(start, end), billed_clause())
        .order_by(Booking.family_id, Booking.child_id, Booking.service_id, Booking.day)
    )
    if family_ids is None:
        rows = db.session.execute(query).all()
    else:
        ids = sorted(set(family_ids))
        rows = [row for i in range(0, len(ids), _CHUNK)
                for row in db.session.execute(query.where(
                    Booking.family_id.in_(ids[i:i + _CHUNK]))).all()]
    return [
        BillableDay(family_id, child_id, service_id, day, bool(unbooked),
                    attendance == Attendance.absent_unexcused)
        for family_id, child_id, service_id, day, unbooked, attendance in rows
    ]


def billed_groups(start: dt.date, end: dt.date, family_ids: list[int]) -> list[tuple]:
    """The billed days grouped in SQL, one row per (family, child, service, surcharge):
    (family_id, child_id, service_id, surcharge, days, first day, last day, unexcused)."""
    unexcused = func.sum(case((Booking.attendance == Attendance.absent_unexcused, 1), else_=0))
    query = (
        select(Booking.family_id, Booking.child_id, Booking.service_id, Booking.unbooked,
               func.count(), func.min(Booking.day), func.max(Booking.day), unexcused)
        .where(Booking.day.between(start, end), billed_clause())
        .group_by(Booking.family_id, Booking.child_id, Booking.service_id, Booking.unbooked)
    )
    ids = sorted(set(family_ids))
    return [(family_id, child_id, service_id, bool(unbooked), int(count), first, last,
             int(absent or 0))
            for i in range(0, len(ids), _CHUNK)
            for family_id, child_id, service_id, unbooked, count, first, last, absent
            in db.session.execute(query.where(Booking.family_id.in_(ids[i:i + _CHUNK])))]


def bracket_for(brackets: Sequence[TariffBracket], qf: int | None,
                presorted: bool = False) -> TariffBracket | None:
    """The bracket of `qf` (bounds inclusive, no maximum = and above); without a QF, the
    highest bracket. None when the QF falls in no bracket (a gap in the tariff)."""
    if not brackets:
        return None
    ordered = brackets if presorted else sorted(brackets, key=lambda b: b.qf_min or 0)
    if qf is None:
        return ordered[-1]
    for bracket in ordered:
        if (bracket.qf_min or 0) <= qf and (bracket.qf_max is None or qf <= bracket.qf_max):
            return bracket
    return None


class PriceBook:
    """Tariffs, school years and QFs of a period, loaded once: pricing a month of a whole
    town costs a handful of queries."""

    def __init__(self, start: dt.date, end: dt.date, family_ids: Iterable[int] | None = None):
        self.years = db.session.scalars(
            select(SchoolYear).where(SchoolYear.start_date <= end, SchoolYear.end_date >= start)
        ).all()
        tariffs = db.session.scalars(
            select(Tariff)
            .where(Tariff.school_year_id.in_([y.id for y in self.years]))
            .options(selectinload(Tariff.brackets))
        ).all()
        self.tariffs = {(t.service_id, t.school_year_id): t for t in tariffs}
        # Brackets sorted once per tariff; one price per (tariff, QF, surcharge), computed
        # once: pricing costs a dictionary look-up per line, not a sort per billed day.
        self._brackets = {t.id: sorted(t.brackets, key=lambda b: b.qf_min or 0)
                          for t in tariffs}
        self._prices: dict[tuple, Decimal] = {}
        self.start, self.end = start, end
        self.quotients = self._load_quotients(start, end, family_ids)
        self._service_names: dict[int, str] = {}

    @staticmethod
    def _load_quotients(start, end, family_ids) -> dict[int, list[QuotientFamilial]]:
        query = select(QuotientFamilial).where(
            QuotientFamilial.valid_from <= end, QuotientFamilial.valid_to >= start
        )
        if family_ids is None:
            rows = db.session.scalars(query).all()
        else:
            ids = sorted(set(family_ids))
            rows = [row for i in range(0, len(ids), _CHUNK)
                    for row in db.session.scalars(query.where(
                        QuotientFamilial.family_id.in_(ids[i:i + _CHUNK]))).all()]
        result: dict[int, list[QuotientFamilial]] = defaultdict(list)
        # Most recent attestation first: it wins when two overlap.
        for row in sorted(rows, key=lambda q: (q.valid_from, q.id), reverse=True):
            result[row.family_id].append(row)
        return result

    def qf_on(self, family_id: int, day: dt.date) -> int | None:
        quotient = quotient_on(self.quotients.get(family_id, ()), day)
        return quotient.value if quotient is not None else None

    def _year_of(self, day: dt.date) -> SchoolYear:
        for year in self.years:
            if year.start_date <= day <= year.end_date:
                return year
        raise PricingError(_("Aucune année scolaire ne contient le %(day)s.",
                             day=f"{day:%d/%m/%Y}"))

    def _service_name(self, service_id: int) -> str:
        if service_id not in self._service_names:
            service = db.session.get(Service, service_id)
            self._service_names[service_id] = service.name if service else str(service_id)
        return self._service_names[service_id]

    def bracket(self, family_id: int, service_id: int, day: dt.date) -> TariffBracket:
        return self._bracket(service_id, self._year_of(day), self.qf_on(family_id, day))

    def _bracket(self, service_id: int, year: SchoolYear, qf: int | None) -> TariffBracket:
        tariff = self.tariffs.get((service_id, year.id))
        if tariff is None:
            raise PricingError(_("Aucun tarif pour le service « %(service)s » en %(year)s.",
                                 service=self._service_name(service_id), year=year.label))
        bracket = bracket_for(self._brackets[tariff.id], qf, presorted=True)
        if bracket is None:
            raise PricingError(_(
                "Le tarif « %(service)s » %(year)s n'a pas de tranche pour un QF de %(qf)s.",
                service=self._service_name(service_id), year=year.label, qf=qf))
        return bracket

    def unit_price(self, service_id: int, year: SchoolYear, qf: int | None,
                   surcharge: bool) -> Decimal:
        """The price of one day of a (tariff, QF, surcharge) group, computed once."""
        key = (service_id, year.id, qf, surcharge)
        price = self._prices.get(key)
        if price is None:
            bracket = self._bracket(service_id, year, qf)
            price = to_money(bracket.unbooked_price if surcharge else bracket.unit_price)
            self._prices[key] = price
        return price

    def price(self, item: BillableDay) -> Decimal:
        return self.unit_price(item.service_id, self._year_of(item.day),
                               self.qf_on(item.family_id, item.day), item.surcharge)

    def month_year(self) -> SchoolYear | None:
        """The one school year covering the whole period, if there is one."""
        for year in self.years:
            if year.start_date <= self.start and self.end <= year.end_date:
                return year
        return None

    def steady_qf(self, family_id: int) -> tuple[bool, int | None]:
        """(True, QF) when the family's QF is the same on every day of the period (no
        attestation, or one covering it whole); (False, None) when it changes."""
        rows = self.quotients.get(family_id, ())
        if not rows:
            return True, None
        if len(rows) == 1 and rows[0].valid_from <= self.start and rows[0].valid_to >= self.end:
            return True, rows[0].value
        return False, None


def french(message_fn, *args, **kwargs) -> str:
    """A message stored in the database (invoice labels, run errors): always French."""
    with force_locale("fr"):
        return message_fn(*args, **kwargs)
