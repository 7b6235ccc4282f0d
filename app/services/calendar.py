"""The opening calendar: which days a service runs at a school.

A day is a school day when it lies inside the school year, is not a weekend or a weekday
without school (Wednesday by default), not a public holiday (``holidays``), not in the
school holidays of the town's zone (``vacances-scolaires-france``, shipped offline with the
package) and not covered by a closure decided by the town.

The holiday sets are computed once per process (``lru_cache``); an :class:`OpeningCalendar`
loads the closures of its school year in one query, then answers without touching the
database, so a month's planning for many children costs a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays
from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from vacances_scolaires_france import SchoolHolidayDates

from app.extensions import db
from app.models.calendar import Closure, SchoolYear

from .errors import CommandError

__all__ = [
    "CalendarDataError",
    "ClosureSpan",
    "DEFAULT_ZONE",
    "OpeningCalendar",
    "PARIS",
    "current_school_year",
    "local_now",
    "public_holidays",
    "school_holidays",
    "school_year_containing",
    "school_year_label_for",
]

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_ZONE = "B"  # Ille-et-Vilaine
ONE_DAY = dt.timedelta(days=1)
WEEKEND = frozenset({5, 6})

_WEEKDAY_OFF = {
    0: _l("Lundi sans école"),
    1: _l("Mardi sans école"),
    2: _l("Mercredi sans école"),
    3: _l("Jeudi sans école"),
    4: _l("Vendredi sans école"),
}
# The library's names, listed here so that Babel extracts them for the English catalogue.
_SCHOOL_HOLIDAY_LABELS = {
    "Vacances de la Toussaint": _l("Vacances de la Toussaint"),
    "Vacances de Noël": _l("Vacances de Noël"),
    "Vacances d'hiver": _l("Vacances d'hiver"),
    "Vacances de printemps": _l("Vacances de printemps"),
    "Pont de l'Ascension": _l("Pont de l'Ascension"),
    "Vacances d'été": _l("Vacances d'été"),
}


class CalendarDataError(CommandError, ValueError):
    """The official dates needed to tell school days from holidays are missing: failing is
    safer than letting parents book (and be billed) on a holiday."""


def local_now() -> dt.datetime:
    """Now, as naive local time in Paris (deadlines and days are local), or the fixed
    instant of PORTAL_FIXED_NOW (tests and demos; always None in production)."""
    fixed = current_app.config.get("PORTAL_FIXED_NOW") if has_app_context() else None
    if not fixed:
        return dt.datetime.now(PARIS).replace(tzinfo=None)
    moment = fixed if isinstance(fixed, dt.datetime) else dt.datetime.fromisoformat(str(fixed))
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS).replace(tzinfo=None)
    return moment


def local_today() -> dt.date:
    """Today in Paris (the server's own date may already be tomorrow or still yesterday)."""
    return local_now().date()


# --- Holiday sets (cached per process) -------------------------------------------------


@lru_cache(maxsize=1)
def _holiday_data() -> SchoolHolidayDates:
    return SchoolHolidayDates()  # reads the CSV shipped in the package, no network


def _check_zone(zone: str) -> str:
    zone = (zone or DEFAULT_ZONE).strip().upper()
    if zone not in SchoolHolidayDates.SUPPORTED_ZONES:
        raise CalendarDataError(
            _("Zone de vacances scolaires inconnue : %(zone)s (A, B ou C attendue).", zone=zone)
        )
    return zone


@lru_cache(maxsize=32)
def school_holidays(zone: str, year_range: tuple[int, int]) -> Mapping[dt.date, str]:
    """Days of school holidays of `zone` in the calendar years first..last (inclusive),
    with the official French name ("Vacances de la Toussaint", …)."""
    zone = _check_zone(zone)
    first, last = year_range
    data = _holiday_data()
    if first < data.min_year or last > data.max_year:
        period = _("les années %(first)s à %(last)s", first=first, last=last)
        raise CalendarDataError(_missing_data_message(zone, period))
    days: dict[dt.date, str] = {}
    for year in range(first, last + 1):
        for day, row in data.holidays_for_year_and_zone(year, zone).items():
            days[day] = row["nom_vacances"]
    return MappingProxyType(days)


@lru_cache(maxsize=8)
def _last_known_holiday(zone: str) -> dt.date:
    """The last holiday day published for `zone`: dates after it are unknown, even inside
    a calendar year the package covers (autumn dates are published late)."""
    data = _holiday_data()
    return max(data.holidays_for_year_and_zone(data.max_year, zone))


def _missing_data_message(zone: str, period: str) -> str:
    return _(
        "Les dates officielles des vacances scolaires de la zone %(zone)s ne sont pas connues "
        "pour %(period)s (elles le sont jusqu'au %(last)s) : mettez à jour le paquet "
        "« vacances-scolaires-france » avant d'ouvrir cette année scolaire.",
        zone=zone,
        period=period,
        last=_last_known_holiday(zone).strftime("%d/%m/%Y"),
    )


def _check_coverage(zone: str, start: dt.date, end: dt.date) -> None:
    if start.year < _holiday_data().min_year or end > _last_known_holiday(zone):
        period = _(
            "la période du %(start)s au %(end)s",
            start=start.strftime("%d/%m/%Y"),
            end=end.strftime("%d/%m/%Y"),
        )
        raise CalendarDataError(_missing_data_message(zone, period))


def public_holidays(years: int | Iterable[int]) -> Mapping[dt.date, str]:
    """French public holidays (metropolitan France) of the given years, named in French."""
    key = (years,) if isinstance(years, int) else tuple(sorted(set(years)))
    return _public_holidays(key)


@lru_cache(maxsize=64)
def _public_holidays(years: tuple[int, ...]) -> Mapping[dt.date, str]:
    # A plain dict: HolidayBase would silently grow with every year it is asked about.
    return MappingProxyType(dict(holidays.France(years=years, language="fr")))


# --- Why a day is closed ---------------------------------------------------------------


class _Reason(NamedTuple):
    kind: str  # outside | weekend | weekday | public | school | closure
    detail: str = ""

    def render(self) -> str:
        match self.kind:
            case "outside":
                return _("Hors année scolaire")
            case "weekend":
                return _("Week-end")
            case "weekday":
                return str(_WEEKDAY_OFF[int(self.detail)])
            case "public":
                return _("Jour férié : %(name)s", name=self.detail)
            case "school":
                return str(_SCHOOL_HOLIDAY_LABELS.get(self.detail, self.detail))
        return _("Fermeture : %(reason)s", reason=self.detail)


_OUTSIDE = _Reason("outside")


def _base_reason(
    day: dt.date,
    closed_weekdays: frozenset[int],
    public: Mapping[dt.date, str],
    school: Mapping[dt.date, str],
) -> _Reason | None:
    # Order matters only for the label: a public holiday or the holidays read better than
    # "Mercredi sans école" on a Wednesday; a weekend stays a weekend.
    weekday = day.weekday()
    if weekday in closed_weekdays and weekday in WEEKEND:
        return _Reason("weekend")
    if day in public:
        return _Reason("public", public[day])
    if day in school:
        return _Reason("school", school[day])
    if weekday in closed_weekdays:
        return _Reason("weekday", str(weekday))
    return None


@lru_cache(maxsize=16)
def _base_closed_days(
    zone: str, start: dt.date, end: dt.date, closed_weekdays: frozenset[int]
) -> Mapping[dt.date, _Reason]:
    """Every day of [start, end] closed whatever the school or service."""
    _check_coverage(zone, start, end)
    school = school_holidays(zone, (start.year, end.year))
    public = public_holidays(range(start.year, end.year + 1))
    closed = {}
    for day in _days(start, end):
        reason = _base_reason(day, closed_weekdays, public, school)
        if reason is not None:
            closed[day] = reason
    return MappingProxyType(closed)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


# --- The calendar ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClosureSpan:
    start: dt.date
    end: dt.date
    school_id: int | None
    service_id: int | None
    reason: str

    def applies(self, school_id: int | None, service_id: int | None) -> bool:
        """A closure without school (or service) closes them all; one with a school closes
        only that school, so asking without a school ignores it."""
        return self.school_id in (None, school_id) and self.service_id in (None, service_id)


class OpeningCalendar:
    """The open days of one school year. Build it with :meth:`for_school_year` (one query)
    and reuse it for every child and service of a page."""

    def __init__(
        self,
        start: dt.date,
        end: dt.date,
        zone: str = DEFAULT_ZONE,
        closed_weekdays: Iterable[int] = (2, 5, 6),
        closures: Iterable[ClosureSpan | tuple] = (),
    ) -> None:
        self.start, self.end = start, end
        self.zone = _check_zone(zone)
        self.closed_weekdays = frozenset(closed_weekdays)
        self._base = _base_closed_days(self.zone, start, end, self.closed_weekdays)
        self._closures: dict[dt.date, list[ClosureSpan]] = {}
        for item in closures:
            span = item if isinstance(item, ClosureSpan) else ClosureSpan(*item)
            for day in _days(max(span.start, start), min(span.end, end)):
                self._closures.setdefault(day, []).append(span)

    @classmethod
    def for_school_year(cls, school_year: SchoolYear) -> OpeningCalendar:
        rows = (
            db.session.query(
                Closure.start_date,
                Closure.end_date,
                Closure.school_id,
                Closure.service_id,
                Closure.reason,
            )
            .filter(
                Closure.start_date <= school_year.end_date,
                Closure.end_date >= school_year.start_date,
            )
            .order_by(Closure.start_date, Closure.id)
            .all()
        )
        return cls(
            school_year.start_date,
            school_year.end_date,
            zone=school_year.zone or DEFAULT_ZONE,
            closed_weekdays=school_year.closed_weekday_numbers,
            closures=[ClosureSpan(*row) for row in rows],
        )

    def _reason(
        self, day: dt.date, school_id: int | None, service_id: int | None
    ) -> _Reason | None:
        if not self.start <= day <= self.end:
            return _OUTSIDE
        base = self._base.get(day)
        if base is not None:
            return base
        for span in self._closures.get(day, ()):
            if span.applies(school_id, service_id):
                return _Reason("closure", span.reason)
        return None

    def is_open(
        self, day: dt.date, school_id: int | None = None, service_id: int | None = None
    ) -> bool:
        return self._reason(day, school_id, service_id) is None

    def closed_reason(
        self, day: dt.date, school_id: int | None = None, service_id: int | None = None
    ) -> str | None:
        """Why the day is closed, in words for parents; None when it is open."""
        reason = self._reason(day, school_id, service_id)
        return None if reason is None else reason.render()

    def open_days(
        self,
        start: dt.date,
        end: dt.date,
        school_id: int | None = None,
        service_id: int | None = None,
    ) -> list[dt.date]:
        """The open days of [start, end] (both included), in order."""
        first, last = max(start, self.start), min(end, self.end)
        return [d for d in _days(first, last) if self._reason(d, school_id, service_id) is None]

    def closed_days(
        self,
        start: dt.date,
        end: dt.date,
        school_id: int | None = None,
        service_id: int | None = None,
    ) -> dict[dt.date, str]:
        """Every closed day of [start, end] with its reason (for a planning grid)."""
        closed = {}
        for day in _days(start, end):
            reason = self._reason(day, school_id, service_id)
            if reason is not None:
                closed[day] = reason.render()
        return closed


# --- School years ----------------------------------------------------------------------


def current_school_year(today: dt.date | None = None) -> SchoolYear | None:
    """The school year containing `today`, else the next one (summer: the coming year)."""
    today = today or local_now().date()
    return (
        db.session.query(SchoolYear)
        .filter(SchoolYear.end_date >= today)
        .order_by(SchoolYear.start_date)
        .first()
    )


def school_year_containing(day: dt.date) -> SchoolYear | None:
    return (
        db.session.query(SchoolYear)
        .filter(SchoolYear.start_date <= day, SchoolYear.end_date >= day)
        .first()
    )


def school_year_label_for(day: dt.date) -> str:
    """The label of the school year a day belongs to: from August on, the coming year
    (enrolments for September are made in summer); "2026-2027" for 2026-11-26."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"
