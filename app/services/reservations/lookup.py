"""Loading and checking what a reservation command acts on (French messages on refusal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import Child, Enrolment, EnrolmentState, SchoolYear, Service
from ...security.scope import owned
from ..calendar import OpeningCalendar, school_year_containing


@dataclass
class Target:
    """A child × service for a family, with the school year's calendar."""

    family_id: int
    child: Child
    service: Service
    school_year: SchoolYear
    calendar: OpeningCalendar
    enrolment: Enrolment | None = None

    @property
    def school_id(self) -> int:
        return self.child.school_id


def child_of_family(family_id: int, child_id) -> Child | None:
    return owned(Child, child_id, [family_id])


def validated_enrolment(
    family_id: int, child_id: int, service_id: int, year_id: int
) -> Enrolment | None:
    return (
        db.session.query(Enrolment)
        .filter_by(
            family_id=family_id,
            child_id=child_id,
            service_id=service_id,
            school_year_id=year_id,
            state=EnrolmentState.validated,
        )
        .first()
    )


def has_validated_enrolment(family_id: int, child_id: int, service_id: int, year_id: int) -> bool:
    return validated_enrolment(family_id, child_id, service_id, year_id) is not None


#: What a day typed by staff may look like: jj/mm/aaaa (the back office's calendar), its
#: near variants, or ISO (links).
TYPED_DAY_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_day(value) -> dt.date | None:
    """A day sent by the parent pages and API: ISO only (`2026-12-01`), their contract."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_typed_day(value) -> dt.date | None:
    """The one parser of a day typed in a back-office form: `01/12/2026` or `2026-12-01`
    → 1 December 2026; None when it is not a date."""
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value or "").split())
    for pattern in TYPED_DAY_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def load_target(
    family_id: int, child_id, service_id, day: dt.date, errors: list[str]
) -> Target | None:
    """The target of a change, or None with the reasons appended to `errors`."""
    child = child_of_family(family_id, child_id)
    if child is None:
        errors.append(_("Enfant inconnu."))
    try:
        service = db.session.get(Service, int(service_id))
    except (TypeError, ValueError):
        service = None
    if service is None or not service.active:
        errors.append(_("Service inconnu."))
    year = school_year_containing(day)
    if year is None:
        errors.append(_("Ce jour n'appartient à aucune année scolaire ouverte."))
    if errors:
        return None
    enrolment = validated_enrolment(family_id, child.id, service.id, year.id)
    if enrolment is None:
        errors.append(
            _(
                "%(child)s n'a pas d'inscription validée au service « %(service)s » pour %(year)s.",
                child=child.first_name,
                service=service.name,
                year=year.label,
            )
        )
        return None
    calendar = OpeningCalendar.for_school_year(year)
    return Target(family_id, child, service, year, calendar, enrolment)
