"""Booking and cancellation deadlines (domain rule 1).

Each service carries two rules as data: a kind, a value (days, or a weekday 0=Monday) and a
time of day. Before the deadline a parent's change applies at once; from the deadline on it
becomes a request that staff validate or refuse; once the day has started nothing changes.

All datetimes are naive local time in Europe/Paris. The deadline instant itself is already
too late: with "J-2 at 10:00", 09:59:59 is in time and 10:00:00 is a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.models.base import LabelledEnum
from app.models.school import DeadlineKind, Service
from app.services.calendar import PARIS, local_now, public_holidays

__all__ = [
    "MAX_DAYS",
    "ChangeTiming",
    "booking_deadline",
    "cancellation_deadline",
    "change_timing",
    "deadline_for",
    "describe_rule",
    "is_before_deadline",
    "local_now",
    "timing_for_booking",
    "timing_for_cancellation",
    "validate_rule",
]

MAX_DAYS = 30
ONE_DAY = dt.timedelta(days=1)
_WEEKDAY_NAMES = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)


class ChangeTiming(LabelledEnum):
    immediate = "immediate"  # before the deadline: applied at once
    request = "request"  # after the deadline, day not started: staff decide
    past = "past"  # the day has started: nothing can change


ChangeTiming.LABELS = {
    ChangeTiming.immediate: _l("Modification immédiate"),
    ChangeTiming.request: _l("Demande à valider par le service"),
    ChangeTiming.past: _l("Journée passée : modification impossible"),
}


# --- Rule data -------------------------------------------------------------------------


def validate_rule(kind: str | None, value: int | None, at_time: dt.time | None) -> list[str]:
    """The problems of a deadline rule, in French (empty when the rule is valid)."""
    errors = []
    if kind not in {k.value for k in DeadlineKind}:
        errors.append(_("Type de délai inconnu : %(kind)s.", kind=kind))
    if not isinstance(value, int) or isinstance(value, bool):
        errors.append(_("Le nombre de jours ou le jour de la semaine est obligatoire."))
    elif kind == DeadlineKind.weekday_previous_week and not 0 <= value <= 6:
        errors.append(_("Le jour de la semaine doit être compris entre 0 (lundi) et 6 (dimanche)."))
    elif kind != DeadlineKind.weekday_previous_week and not 0 <= value <= MAX_DAYS:
        errors.append(_("Le nombre de jours doit être compris entre 0 et %(max)s.", max=MAX_DAYS))
    if not isinstance(at_time, dt.time):
        errors.append(_("L'heure limite est obligatoire (HH:MM)."))
    return errors


def describe_rule(kind: str, value: int, at_time: dt.time) -> str:
    """The rule in words, for staff lists and the parents' planning."""
    time = at_time.strftime("%H:%M")
    if kind == DeadlineKind.weekday_previous_week:
        return _(
            "Le %(weekday)s de la semaine précédente, à %(time)s",
            weekday=_WEEKDAY_NAMES[value],
            time=time,
        )
    if kind == DeadlineKind.working_days_before:
        return ngettext(
            "%(num)s jour ouvré avant, à %(time)s (week-ends et jours fériés non comptés)",
            "%(num)s jours ouvrés avant, à %(time)s (week-ends et jours fériés non comptés)",
            value,
            time=time,
        )
    return ngettext(
        "%(num)s jour avant, à %(time)s", "%(num)s jours avant, à %(time)s", value, time=time
    )


# --- Deadlines -------------------------------------------------------------------------


def _working_days_back(day: dt.date, count: int, holidays: Container[dt.date]) -> dt.date:
    """The date `count` working days before `day` (weekends and public holidays skipped)."""
    current = day
    for _step in range(count):
        current -= ONE_DAY
        while current.weekday() >= 5 or current in holidays:
            current -= ONE_DAY
    return current


def deadline_for(
    day: dt.date,
    kind: str,
    value: int,
    at_time: dt.time,
    public_holidays: Container[dt.date] = frozenset(),
) -> dt.datetime:
    """The last instant (excluded) for changing `day` under the rule (kind, value, at_time)."""
    errors = validate_rule(kind, value, at_time)
    if errors:
        raise ValueError(" ".join(errors))
    if kind == DeadlineKind.working_days_before:
        date = _working_days_back(day, value, public_holidays)
    elif kind == DeadlineKind.weekday_previous_week:
        monday_before = day - dt.timedelta(days=day.weekday() + 7)
        date = monday_before + dt.timedelta(days=value)
    else:
        date = day - dt.timedelta(days=value)
    return dt.datetime.combine(date, at_time.replace(tzinfo=None))


def _holidays_before(day: dt.date) -> Container[dt.date]:
    # At most 30 working days back: the previous calendar year is enough.
    return public_holidays((day.year - 1, day.year))


def booking_deadline(service: Service, day: dt.date) -> dt.datetime:
    return deadline_for(
        day,
        service.booking_deadline_kind,
        service.booking_deadline_value,
        service.booking_deadline_time,
        _holidays_before(day),
    )


def cancellation_deadline(service: Service, day: dt.date) -> dt.datetime:
    return deadline_for(
        day,
        service.cancel_deadline_kind,
        service.cancel_deadline_value,
        service.cancel_deadline_time,
        _holidays_before(day),
    )


# --- Timing of a change ----------------------------------------------------------------


def _local(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return local_now()
    if now.tzinfo is not None:
        return now.astimezone(PARIS).replace(tzinfo=None)
    return now


def is_before_deadline(now: dt.datetime | None, deadline: dt.datetime) -> bool:
    """True while a change still applies at once; the deadline instant is already late."""
    return _local(now) < deadline


def change_timing(day: dt.date, deadline: dt.datetime, now: dt.datetime | None) -> ChangeTiming:
    """What a change of `day` becomes at `now`. A rule placing the deadline on the day itself
    (e.g. "0 days before, at 10:00") keeps same-day changes immediate until then."""
    now = _local(now)
    if now < deadline:
        return ChangeTiming.immediate
    if now >= dt.datetime.combine(day, dt.time.min):
        return ChangeTiming.past
    return ChangeTiming.request


def timing_for_booking(
    service: Service, day: dt.date, now: dt.datetime | None = None
) -> ChangeTiming:
    return change_timing(day, booking_deadline(service, day), now)


def timing_for_cancellation(
    service: Service, day: dt.date, now: dt.datetime | None = None
) -> ChangeTiming:
    return change_timing(day, cancellation_deadline(service, day), now)
