"""What the planning page and its JSON API show: the month's cells laid out in week rows,
with the words a screen reader says for each cell, plus the clock and family helpers
shared by the parent's reservation views.

No SQL here beyond `cell_after_change` (one cell, after a click): the month grid is built
from `month_planning`, whose cost does not grow with the number of children or days.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Booking, Child, Service
from ...security.scope import current_family_id
from ...services.calendar import OpeningCalendar, local_now
from ...services.reservations.enrolment_rules import covering_enrolment
from ...services.reservations.planning import Cell, MonthPlanning, _cell

WEEKDAY_SHORT = (_l("Lun"), _l("Mar"), _l("Mer"), _l("Jeu"), _l("Ven"), _l("Sam"), _l("Dim"))
WEEKDAY_LONG = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)
_HINTS = {
    "available": _l("Activer pour réserver."),
    "booked": _l("Activer pour annuler."),
    "pending": _l("Activer pour retirer la demande."),
    "modification": _l("Activer pour retirer la demande."),
    "cancellation": _l("Activer pour retirer la demande."),
}
_LATE_HINTS = {
    "available": _l("Délai dépassé : activer pour demander la réservation au service."),
    "booked": _l("Délai dépassé : activer pour demander l'annulation au service."),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# --- Clock and family --------------------------------------------------------------------


def portal_now() -> dt.datetime:
    """Now in Paris, or PORTAL_FIXED_NOW (see app.services.calendar.local_now)."""
    return local_now()


def family_id() -> int | None:
    """The family the page acts for (app.security.scope: the guardian's choice among
    several families, shown by the switch)."""
    return current_family_id()


def parse_month(text: str | None) -> dt.date | None:
    """'2026-11' → 2026-11-01; None for anything else (years 2000 to 2100 only)."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def month_title(month: dt.date) -> str:
    return format_date(month, "MMMM yyyy").capitalize()


# --- Words for a cell -------------------------------------------------------------------


def day_words(day: dt.date) -> str:
    """'lundi 30 novembre'."""
    return f"{WEEKDAY_LONG[day.weekday()]} {format_date(day, 'd MMMM')}"


def is_past(cell: Cell) -> bool:
    return not cell.editable and cell.state != "closed"


def cell_label(cell: Cell) -> str:
    """The label a cell shows: its state's, but a closed day says why ("Vacances de
    Noël") and a past day never booked is "Non réservé", not "Disponible"."""
    if cell.state == "closed" and cell.reason:
        return cell.reason
    if is_past(cell) and cell.state == "available":
        return _("Non réservé")
    return cell.label


def cell_aria(child_name: str, service_name: str, cell: Cell) -> str:
    """'Lucas, Restaurant scolaire, lundi 30 novembre : réservé. Activer pour annuler.'"""
    text = f"{child_name}, {service_name}, {day_words(cell.day)} : "
    if cell.state == "closed":
        closed = cell.label.lower()
        return f"{text}{closed} ({cell.reason})." if cell.reason else f"{text}{closed}."
    text += cell_label(cell).lower()
    if cell.reason:
        text += ". " + _("Remarque : %(note)s", note=cell.reason)
    if not cell.editable:
        return f"{text}. " + _("Journée passée.")
    hint = (_LATE_HINTS if cell.late else _HINTS).get(cell.state, _HINTS[cell.state])
    return f"{text}. {hint}"


def cell_json(child: Child, service: Service, cell: Cell) -> dict:
    """The cell as the planning's script and REST clients read it."""
    return {
        "day": cell.day.isoformat(),
        "child_id": child.id,
        "service_id": service.id,
        "state": cell.state,
        "seats": cell.seats if cell.state == "available" else None,
        "label": cell.label,
        "late": cell.late,
        "editable": cell.editable,
        "note": cell.reason if cell.state != "closed" else None,
        "reason": cell.reason if cell.state == "closed" else None,
        "aria_label": cell_aria(child.first_name, service.name, cell),
        "title": cell_title(cell),
    }


def cell_title(cell: Cell) -> str:
    """The tooltip: why a day is closed, or the family's note."""
    if cell.state == "closed":
        return cell.reason or ""
    return _("Remarque : %(note)s", note=cell.reason) if cell.reason else ""


def cell_after_change(
    family: int, child: Child, service: Service, calendar: OpeningCalendar, day: dt.date,
    now: dt.datetime,
) -> Cell:
    """The cell as the planning shows it now, after a command changed it."""
    booking = (
        db.session.query(Booking)
        .filter_by(child_id=child.id, service_id=service.id, day=day)
        .one_or_none()
    )
    bookings = {(child.id, service.id, day): booking} if booking else {}
    enrolled = [(day, day)] if covering_enrolment(family, child.id, service.id, day) else []
    return _cell(family, child, service, day, [calendar], bookings, now, enrolled)


# --- The month in week rows -------------------------------------------------------------


@dataclass
class GridCell:
    cell: Cell
    aria_label: str

    @property
    def clickable(self) -> bool:
        return self.cell.editable and self.cell.state != "closed"

    @property
    def past(self) -> bool:
        return is_past(self.cell)

    @property
    def label(self) -> str:
        return cell_label(self.cell)

    @property
    def title(self) -> str:
        return cell_title(self.cell)


@dataclass
class GridWeek:
    monday: dt.date
    first: dt.date  # first and last day of this week inside the month
    last: dt.date
    cells: list[GridCell | None]  # one per shown weekday; None outside the month

    @property
    def changeable(self) -> bool:
        return any(c is not None and c.clickable for c in self.cells)

    @property
    def words(self) -> str:
        return _("semaine du %(day)s", day=format_date(self.first, "d MMMM"))


@dataclass
class GridTable:
    child: Child
    service: Service
    weeks: list[GridWeek]

    @property
    def anchor(self) -> str:
        return f"enfant-{self.child.id}-service-{self.service.id}"


@dataclass
class ChildSection:
    child: Child
    tables: list[GridTable] = field(default_factory=list)


def shown_weekdays(planning: MonthPlanning) -> list[int]:
    """Monday to Friday, plus Saturday or Sunday when a service opens on them this month."""
    open_weekend = {
        cell.day.weekday()
        for row in planning.rows
        for cell in row.cells
        if cell.day.weekday() >= 5 and cell.state != "closed"
    }
    return [0, 1, 2, 3, 4, *sorted(open_weekend)]


def _weeks(cells: list[Cell], weekdays: list[int], aria) -> list[GridWeek]:
    weeks: dict[dt.date, dict[int, Cell]] = {}
    for cell in cells:
        monday = cell.day - dt.timedelta(days=cell.day.weekday())
        weeks.setdefault(monday, {})[cell.day.weekday()] = cell
    result = []
    for monday, by_weekday in weeks.items():
        days = sorted(c.day for c in by_weekday.values())
        shown = [by_weekday.get(w) for w in weekdays]
        if not any(shown):
            continue  # a week whose only days in the month are a hidden weekend
        result.append(
            GridWeek(
                monday, days[0], days[-1], [GridCell(c, aria(c)) if c else None for c in shown]
            )
        )
    return result


def build_sections(planning: MonthPlanning, weekdays: list[int]) -> list[ChildSection]:
    sections: dict[int, ChildSection] = {}
    for row in planning.rows:
        section = sections.setdefault(row.child.id, ChildSection(row.child))
        name, service = row.child.first_name, row.service.name

        def aria(cell, name=name, service=service):
            return cell_aria(name, service, cell)

        section.tables.append(GridTable(row.child, row.service, _weeks(row.cells, weekdays, aria)))
    return list(sections.values())
