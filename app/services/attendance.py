"""Attendance (pointage, domain rule 4): the sheet of a day, marks, unbooked children.

- `attendance_sheet`: the children expected on a day at a school for a service (one query),
  with their class, allergies, PAI and diet;
- `RecordAttendance`: present / absent excused / absent unexcused for the rows of a sheet;
- `AddUnbookedChild`: a child who came without a booking (billed at the surcharge price);
- `find_children`: the children of a school to add, by name (one query);
- `render_pdf`: the printable sheet (and the kitchen count, app.services.kitchen).

Like the reservation commands, each command's `validate()` gathers every problem (French
messages) before anything is written and `run()` is one transaction. Only today and past
days can be marked: a future day's attendance is not known yet.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from xhtml2pdf import pisa

from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATES,
    Attendance,
    Booking,
    BookingState,
    Child,
    Family,
    Service,
    ServiceCapacity,
    family_child,
)
from ..models.base import utcnow
from ..security.scope import owned
from .calendar import OpeningCalendar, school_year_containing
from .command import BaseCommand
from .errors import CommandError

# --- the sheet -----------------------------------------------------------------------------


def _on_sheet():
    """Rows of a sheet: seat-holding bookings (the unbooked children added are booked too),
    and accepted late cancellations, whose absence staff may still excuse."""
    return or_(
        Booking.state.in_(SEAT_HOLDING_STATES),
        and_(Booking.state == BookingState.cancelled, Booking.attendance.isnot(None)),
    )


def is_late_cancellation(booking: Booking) -> bool:
    return booking.state == BookingState.cancelled


def attendance_sheet(day: dt.date, school_id: int, service_id: int) -> list[Booking]:
    """The sheet's bookings, children loaded, by name (one query)."""
    return (
        db.session.query(Booking)
        .join(Child, Child.id == Booking.child_id)
        .options(contains_eager(Booking.child))
        .filter(
            Booking.day == day,
            Booking.school_id == school_id,
            Booking.service_id == service_id,
            _on_sheet(),
        )
        .order_by(Child.last_name, Child.first_name, Booking.id)
        .all()
    )


def sheet_summary(rows: list[Booking]) -> dict[str, int]:
    """Counts shown above the list: expected, marked per attendance, not marked yet."""
    counts = {"expected": len(rows), "unmarked": 0, "pai": 0, "allergies": 0}
    counts.update({value: 0 for value in Attendance})
    for booking in rows:
        key = booking.attendance or "unmarked"
        counts[key] = counts.get(key, 0) + 1
        counts["pai"] += bool(booking.child.has_pai)
        counts["allergies"] += bool((booking.child.allergies or "").strip())
    return counts


def _future_day_error(day: dt.date, today: dt.date) -> str | None:
    if day > today:
        return _("Le pointage n'est possible que pour aujourd'hui ou un jour passé.")
    return None


# --- recording -----------------------------------------------------------------------------


class RecordAttendance(BaseCommand):
    """Marks for the rows of one sheet: {booking id: attendance code}. Rows not given are
    left as they are; only changed rows are written (and audited)."""

    def __init__(
        self,
        day: dt.date,
        school_id: int,
        service_id: int,
        marks: Mapping[int, str],
        staff_user_id: int | None,
        today: dt.date,
    ):
        self.day, self.school_id, self.service_id = day, school_id, service_id
        self.marks = dict(marks)
        self.staff_user_id, self.today = staff_user_id, today
        self.rows: dict[int, Booking] = {}

    def validate(self) -> None:
        errors: list[str] = []
        future = _future_day_error(self.day, self.today)
        if future:
            errors.append(future)
        if not self.marks:
            errors.append(_("Aucun pointage à enregistrer."))
        self.rows = {b.id: b for b in attendance_sheet(self.day, self.school_id, self.service_id)}
        if set(self.marks) - set(self.rows):
            errors.append(
                _("Certains enfants ne sont plus sur la liste du jour : rechargez la page.")
            )
        valid = {a.value for a in Attendance}
        for booking_id, value in self.marks.items():
            booking = self.rows.get(booking_id)
            if booking is None:
                continue
            if value not in valid:
                errors.append(_("%(child)s : pointage inconnu.", child=booking.child))
            elif is_late_cancellation(booking) and value == Attendance.present:
                errors.append(
                    _(
                        "%(child)s : l'annulation a été acceptée ; si l'enfant est venu, "
                        "ajoutez-le comme enfant non inscrit.",
                        child=booking.child,
                    )
                )
        if errors:
            raise CommandError(errors)

    def run(self) -> int:
        """Saves the marks; returns the number of rows changed."""
        try:
            self.validate()
            now, changed = utcnow(), 0
            for booking_id, value in self.marks.items():
                booking = self.rows[booking_id]
                if booking.attendance != value:
                    booking.attendance = value
                    booking.attendance_recorded_by = self.staff_user_id
                    booking.attendance_recorded_at = now
                    changed += 1
            db.session.commit()
            return changed
        except Exception:
            db.session.rollback()
            raise


class AddUnbookedChild(BaseCommand):
    """A child of the school who came without a booking: a booked row marked `unbooked`
    and present. An earlier cancelled or refused row of that day is reused (one row per
    child × service × day)."""

    def __init__(
        self,
        day: dt.date,
        school_id: int,
        service_id: int,
        child_id,
        family_id,
        staff_user_id: int | None,
        today: dt.date,
    ):
        self.day, self.school_id, self.service_id = day, school_id, service_id
        self.raw_child_id, self.raw_family_id = child_id, family_id
        self.staff_user_id, self.today = staff_user_id, today
        self.child: Child | None = None
        self.family_id: int | None = None
        self.existing: Booking | None = None

    def validate(self) -> None:
        errors: list[str] = []
        future = _future_day_error(self.day, self.today)
        if future:
            errors.append(future)
        closed = self._closed_reason()
        if closed:
            errors.append(closed)
        self.child, family_id = self._child_and_family(errors)
        if self.child is not None and not errors:
            self.existing = (
                db.session.query(Booking)
                .filter_by(child_id=self.child.id, service_id=self.service_id, day=self.day)
                .one_or_none()
            )
            problem = self._existing_problem()
            if problem:
                errors.append(problem)
        if errors:
            raise CommandError(errors)
        self.family_id = family_id

    def _closed_reason(self) -> str | None:
        offered = (
            db.session.query(ServiceCapacity.id)
            .join(Service, Service.id == ServiceCapacity.service_id)
            .filter(
                ServiceCapacity.school_id == self.school_id,
                ServiceCapacity.service_id == self.service_id,
                Service.active.is_(True),
            )
            .first()
        )
        if offered is None:
            return _("Ce service n'est pas proposé dans cette école.")
        year = school_year_containing(self.day)
        if year is None:
            return _("Ce jour n'appartient à aucune année scolaire.")
        reason = OpeningCalendar.for_school_year(year).closed_reason(
            self.day, self.school_id, self.service_id
        )
        return _("Jour fermé : %(reason)s.", reason=reason) if reason else None

    def _child_and_family(self, errors: list[str]) -> tuple[Child | None, int | None]:
        try:
            child_id, family_id = int(self.raw_child_id), int(self.raw_family_id)
        except (TypeError, ValueError):
            errors.append(_("Choisissez l'enfant à ajouter."))
            return None, None
        child = db.session.get(Child, child_id)
        if child is None or child.school_id != self.school_id:
            errors.append(_("Cet enfant n'est pas scolarisé dans cette école."))
            return None, None
        if owned(Child, child_id, [family_id]) is None:
            errors.append(_("Cet enfant n'est pas rattaché à cette famille."))
            return None, None
        return child, family_id

    def _existing_problem(self) -> str | None:
        booking = self.existing
        if booking is None or booking.state in (BookingState.cancelled, BookingState.refused):
            return None
        if booking.state in SEAT_HOLDING_STATES:
            return _("%(child)s est déjà sur la liste du jour.", child=self.child)
        return _(
            "%(child)s a une demande en attente pour ce jour : décidez-la dans la file des "
            "demandes.",
            child=self.child,
        )

    def run(self) -> Booking:
        try:
            self.validate()
            booking = self.existing or Booking(
                child_id=self.child.id,
                service_id=self.service_id,
                school_id=self.school_id,
                day=self.day,
            )
            db.session.add(booking)
            now = utcnow()
            booking.family_id, booking.school_id = self.family_id, self.school_id
            booking.state, booking.unbooked = BookingState.booked, 1
            booking.requested_at = now
            booking.attendance = Attendance.present
            booking.attendance_recorded_by, booking.attendance_recorded_at = (
                self.staff_user_id,
                now,
            )
            db.session.commit()
            return booking
        except IntegrityError:  # another agent added the child at the same moment
            db.session.rollback()
            raise CommandError(
                _("%(child)s est déjà sur la liste du jour.", child=self.child)
            ) from None
        except Exception:
            db.session.rollback()
            raise


def find_children(
    school_id: int, day: dt.date, service_id: int, text: str, limit: int = 20
) -> list[tuple[Child, Family]]:
    """Children of the school whose names contain every word typed, with each of their
    families, except those already on the day's sheet (one query)."""
    words = [w for w in (text or "").split() if w][:4]
    if not words:
        return []
    on_sheet = exists().where(
        Booking.child_id == Child.id,
        Booking.day == day,
        Booking.service_id == service_id,
        _on_sheet(),
    )
    query = (
        select(Child, Family)
        .join(family_child, family_child.c.child_id == Child.id)
        .join(Family, Family.id == family_child.c.family_id)
        .where(Child.school_id == school_id, ~on_sheet)
        .order_by(Child.last_name, Child.first_name, Family.name)
        .limit(limit)
    )
    for word in words:
        pattern = f"%{word}%"
        query = query.where(or_(Child.first_name.ilike(pattern), Child.last_name.ilike(pattern)))
    return [(child, family) for child, family in db.session.execute(query).all()]


# --- PDF ------------------------------------------------------------------------------------


class PdfError(RuntimeError):
    pass


def render_pdf(template: str, **context) -> bytes:
    """A printable document (xhtml2pdf), always in French: it is the town's paper."""
    with force_locale("fr"):
        html = current_app.jinja_env.get_template(template).render(context)
    buffer = io.BytesIO()
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8")
    if result.err:
        raise PdfError(f"{template} : {result.err} erreur(s)")
    return buffer.getvalue()
