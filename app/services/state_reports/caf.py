"""CAF « prestation de service » of the périscolaire: hours of presence per child, per
month, by age band and QF band. A slot attended, even in part, counts whole: its hours
are the service's opening hours (Service.slot_start → slot_end)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Attendance, Booking, Child, QuotientFamilial, Service
from ..money import quotient_on

UNDER_6, SIX_AND_OVER = "under6", "6plus"
AGE_BANDS = {UNDER_6: _l("moins de 6 ans"), SIX_AND_OVER: _l("6 ans et plus")}
#: QF bands of the report (lower bound, upper bound or None); PORTAL_CAF_QF_BANDS overrides.
DEFAULT_QF_BANDS = ((0, 450), (451, 800), (801, 1200), (1201, None))
NO_QF = "none"

RULES = (
    _l("Services comptés : les accueils périscolaires (services marqués « périscolaire ») "
       "dont les horaires du créneau sont renseignés."),
    _l("Heures de présence : seules les présences pointées « Présent » comptent, y compris "
       "les venues sans réservation ; une réservation non pointée ou une absence ne compte "
       "pas."),
    _l("Un créneau fréquenté, même en partie, compte en entier : ses heures sont celles "
       "du créneau (début → fin)."),
    _l("Tranche d'âge : l'âge de l'enfant le jour de la présence (moins de 6 ans ; 6 ans et "
       "plus)."),
    _l("Tranche de QF : le quotient familial du foyer valable le jour de la présence (le "
       "plus récent si deux se chevauchent) ; sans QF valable : « QF non connu »."),
    _l("Mois : le mois du jour de présence."),
)


def qf_bands() -> tuple[tuple[int, int | None], ...]:
    return tuple(current_app.config.get("PORTAL_CAF_QF_BANDS") or DEFAULT_QF_BANDS)


def qf_band_label(band: str) -> str:
    if band == NO_QF:
        return _("QF non connu")
    low, _sep, high = band.partition("-")
    if not high:
        return _("QF %(low)s et plus", low=low)
    return _("QF %(low)s à %(high)s", low=low, high=high)


def band_of(value: int | None) -> str:
    if value is None:
        return NO_QF
    for low, high in qf_bands():
        if value >= low and (high is None or value <= high):
            return f"{low}-{high}" if high is not None else f"{low}-"
    return NO_QF


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def slot_minutes(service: Service) -> int:
    start, end = service.slot_start, service.slot_end
    return max(0, (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))


def hours_text(minutes: int) -> str:
    """Minutes as French hours and minutes: 65 → « 1 h 05 »."""
    return f"{minutes // 60} h {minutes % 60:02d}"


@dataclass
class ChildMonth:
    """One child's presences of a month in one age band and QF band."""

    month: dt.date
    child_id: int
    child: str
    birth_date: dt.date
    age_band: str
    qf_band: str
    slots: int = 0
    minutes: int = 0


@dataclass
class CafReport:
    start: dt.date
    end: dt.date
    services: list[tuple[str, int]]  # name, minutes per slot
    rows: list[ChildMonth] = field(default_factory=list)

    def totals(self) -> list[tuple[dt.date, str, str, int, int, int]]:
        """(month, age band, QF band, children, slots, minutes), ordered."""
        groups: dict[tuple, list[ChildMonth]] = defaultdict(list)
        for row in self.rows:
            groups[(row.month, row.age_band, row.qf_band)].append(row)
        return [(m, a, q, len({r.child_id for r in rows}), sum(r.slots for r in rows),
                 sum(r.minutes for r in rows))
                for (m, a, q), rows in sorted(groups.items())]


def caf_hours(start: dt.date, end: dt.date) -> CafReport:
    """The report from `start` to `end` (inclusive): three queries whatever the size."""
    services = db.session.scalars(select(Service).where(
        Service.is_childcare.is_(True), Service.slot_start.isnot(None),
        Service.slot_end.isnot(None)).order_by(Service.name)).all()
    hours = {s.id: slot_minutes(s) for s in services}
    report = CafReport(start, end, [(s.name, hours[s.id]) for s in services])
    if not services:
        return report
    presences = db.session.execute(
        select(Booking.child_id, Booking.family_id, Booking.service_id, Booking.day,
               Child.first_name, Child.last_name, Child.birth_date)
        .join(Child, Child.id == Booking.child_id)
        .where(Booking.day.between(start, end), Booking.service_id.in_(list(hours)),
               Booking.attendance == Attendance.present)
        .order_by(Child.last_name, Child.first_name, Booking.child_id, Booking.day)).all()
    quotients = _quotients({p.family_id for p in presences})
    rows: dict[tuple, ChildMonth] = {}
    for p in presences:
        month = p.day.replace(day=1)
        age = UNDER_6 if age_on(p.birth_date, p.day) < 6 else SIX_AND_OVER
        qf = quotient_on(quotients.get(p.family_id, []), p.day)
        band = band_of(qf.value if qf else None)
        key = (month, p.child_id, age, band)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ChildMonth(month, p.child_id, f"{p.last_name} {p.first_name}",
                                         p.birth_date, age, band)
        row.slots += 1
        row.minutes += hours[p.service_id]
    report.rows = sorted(rows.values(), key=lambda r: (r.month, r.child, r.child_id,
                                                       r.age_band, r.qf_band))
    return report


def _quotients(family_ids: set[int]) -> dict[int, list[QuotientFamilial]]:
    found: dict[int, list[QuotientFamilial]] = defaultdict(list)
    if family_ids:
        for row in db.session.scalars(select(QuotientFamilial).where(
                QuotientFamilial.family_id.in_(family_ids))):
            found[row.family_id].append(row)
    return found
