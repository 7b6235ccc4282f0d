"""The changes of one planning cell (child × service × day) and their rules.

`DayChanger` applies changes inside the caller's transaction, after the caller locked the
capacity of the school and service (see capacity.py); `ChangeDay` is the one-cell command.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import format_datetime
from flask_babel import gettext as _

from ...extensions import db
from ...models import Attendance, Booking, BookingState, Request, RequestKind, RequestState
from ...models.base import utcnow
from ..alerts import alert_family
from ..calendar import local_now
from ..command import BaseCommand
from ..consents.booking import check_consents_for_booking
from ..deadlines import ChangeTiming, booking_deadline, cancellation_deadline, change_timing
from ..errors import CommandError, transaction
from .capacity import first_waiting, lock_capacity, seats_taken
from .enrolment_rules import covers, outside_message
from .lookup import Target, load_target, parse_day

T = TypeVar("T")
ACTIONS = ("book", "cancel", "withdraw", "note", "toggle")
NOTE_MAX_LENGTH = 255  # Booking.note is a String(255)
ACTIVE_STATES = (
    BookingState.booked,
    BookingState.pending,
    BookingState.waiting,
    BookingState.modification,
    BookingState.cancellation,
)
_CELL_STATES = {
    BookingState.booked: "booked",
    BookingState.pending: "pending",
    BookingState.waiting: "pending",
    BookingState.modification: "modification",
    BookingState.cancellation: "cancellation",
}


def cell_state(booking: Booking | None) -> str:
    """The planning's state code of a cell (booked, pending, modification, cancellation,
    available); waiting-list bookings are shown pending (green) too."""
    return "available" if booking is None else _CELL_STATES.get(booking.state, "available")


@dataclass
class Outcome:
    day: dt.date
    child_id: int
    service_id: int
    state: str
    message: str
    changed: bool = True
    request_id: int | None = None


def _deadline_text(deadline: dt.datetime) -> str:
    # Deadlines are naive Paris time: rebasing would read them as UTC (10h00 shown 11h00).
    # The CLDR pattern is translatable: "mercredi 25 novembre à 10h00" in French.
    return format_datetime(deadline, _("EEEE d MMMM 'à' HH'h'mm"), rebase=False)


class DayChanger:
    """Applies cell changes for one target; the capacity row must be locked first."""

    def __init__(
        self, target: Target, capacity: int | None, now: dt.datetime, actor_user_id: int | None
    ):
        self.target, self.capacity, self.now, self.actor = target, capacity, now, actor_user_id

    # -- lookups ------------------------------------------------------------------------
    def unpaid_block(self) -> str | None:
        """Why new bookings are suspended (unpaid threshold), once per command."""
        if not hasattr(self, "_unpaid_block"):
            from ..payments.unpaid_block import booking_block

            self._unpaid_block = booking_block(self.target.family_id, self.now.date())
        return self._unpaid_block

    def closed_reason(self, day: dt.date) -> str | None:
        t = self.target
        return t.calendar.closed_reason(day, school_id=t.school_id, service_id=t.service.id)

    def booking(self, day: dt.date) -> Booking | None:
        t = self.target
        return (
            db.session.query(Booking)
            .filter_by(child_id=t.child.id, service_id=t.service.id, day=day)
            .one_or_none()
        )

    def _outcome(self, day, booking, message, changed=True, request=None) -> Outcome:
        return Outcome(
            day,
            self.target.child.id,
            self.target.service.id,
            cell_state(booking),
            message,
            changed,
            request.id if request else None,
        )

    def _request(self, kind: str, booking: Booking, summary: str, new_value=None) -> Request:
        request = Request(
            family_id=self.target.family_id,
            child_id=self.target.child.id,
            kind=kind,
            summary=summary,
            booking=booking,
            new_value=json.dumps(new_value, ensure_ascii=False) if new_value else None,
            created_by_id=self.actor,
        )
        db.session.add(request)
        db.session.flush()
        return request

    def _label(self, day: dt.date, what: str) -> str:
        t = self.target
        return (
            f"{t.child.first_name} {t.child.last_name} — {t.service.name} — {day:%d/%m/%Y} : {what}"
        )

    def check(self, day: dt.date, booking: Booking | None) -> str | None:
        """Why no change is possible on this day at all (closed, other family)."""
        reason = self.closed_reason(day)
        if reason:
            return _("Jour fermé : %(reason)s.", reason=reason)
        if (
            booking is not None
            and booking.family_id != self.target.family_id
            and booking.state in ACTIVE_STATES
        ):
            return _("Ce jour est géré par l'autre foyer de l'enfant.")
        return None

    # -- changes ------------------------------------------------------------------------
    def apply(self, action: str, day: dt.date, note: str | None = None) -> Outcome:
        booking = self.booking(day)
        problem = self.check(day, booking)
        if problem:
            raise CommandError(problem)
        if action == "toggle":
            action = {"available": "book", "booked": "cancel"}.get(cell_state(booking), "withdraw")
        return getattr(self, action)(day, booking, note)

    def book(self, day, booking, note=None) -> Outcome:
        if booking is not None and booking.state in ACTIVE_STATES:
            return self._outcome(day, booking, _("Ce jour est déjà réservé."), changed=False)
        self._check_bookable(day)
        deadline = booking_deadline(self.target.service, day)
        timing = change_timing(day, deadline, self.now)
        if timing == ChangeTiming.past:
            raise CommandError(_("Cette journée est passée : elle ne peut plus être réservée."))
        # Count seats before the new row exists (autoflush would count it).
        full = (
            self.capacity is not None
            and seats_taken(self.target.service.id, self.target.school_id, day) >= self.capacity
        )
        if booking is None:
            booking = Booking(
                family_id=self.target.family_id,
                child_id=self.target.child.id,
                service_id=self.target.service.id,
                school_id=self.target.school_id,
                day=day,
            )
            db.session.add(booking)
        booking.family_id, booking.requested_at = self.target.family_id, utcnow()
        booking.note = note
        booking.attendance = None
        if timing == ChangeTiming.request or self.target.service.manual_validation:
            booking.state = BookingState.pending
            request = self._request(
                RequestKind.booking, booking, self._label(day, _("réservation"))
            )
            if timing == ChangeTiming.request:
                message = _(
                    "Délai dépassé (jusqu'au %(deadline)s) : votre demande sera étudiée "
                    "par le service.",
                    deadline=_deadline_text(deadline),
                )
            else:
                message = _("Ce service demande une validation : votre demande sera étudiée.")
            return self._outcome(day, booking, message, request=request)
        if full:
            booking.state = BookingState.waiting
            request = self._request(
                RequestKind.waiting_list, booking, self._label(day, _("liste d'attente"))
            )
            return self._outcome(
                day,
                booking,
                _("Journée complète : votre enfant est inscrit sur liste d'attente."),
                request=request,
            )
        booking.state = BookingState.booked
        return self._outcome(day, booking, _("Réservé."))

    def _check_bookable(self, day) -> None:
        """The enrolment covers the day, no unpaid block, the consents are given."""
        if not covers(self.target.enrolment, day):
            raise CommandError(outside_message(self.target.enrolment))
        blocked = self.unpaid_block()
        if blocked:
            raise CommandError(blocked)
        if not getattr(self, "_consents_checked", False):  # once per command
            check_consents_for_booking(self.target.family_id, self.now.date())
            self._consents_checked = True

    def cancel(self, day, booking, note=None) -> Outcome:
        if booking is None or booking.state != BookingState.booked:
            return self._outcome(day, booking, _("Aucune réservation à annuler."), changed=False)
        deadline = cancellation_deadline(self.target.service, day)
        timing = change_timing(day, deadline, self.now)
        if timing == ChangeTiming.past:
            raise CommandError(_("Cette journée est passée : elle ne peut plus être annulée."))
        if timing == ChangeTiming.request:
            booking.state = BookingState.cancellation
            request = self._request(
                RequestKind.cancellation, booking, self._label(day, _("annulation"))
            )
            return self._outcome(
                day,
                booking,
                _(
                    "Délai d'annulation dépassé (jusqu'au %(deadline)s) : "
                    "votre demande sera étudiée "
                    "par le service ; si elle est acceptée, l'absence reste facturée sauf "
                    "justificatif médical.",
                    deadline=_deadline_text(deadline),
                ),
                request=request,
            )
        booking.state = BookingState.cancelled
        db.session.flush()
        promote_waiting_list(self.target.service.id, self.target.school_id, day, self.capacity)
        return self._outcome(day, None, _("Réservation annulée."))

    def withdraw(self, day, booking, note=None) -> Outcome:
        """The family takes back its own pending request (green, orange or pink cell)."""
        if booking is None or booking.state not in (
            BookingState.pending,
            BookingState.waiting,
            BookingState.modification,
            BookingState.cancellation,
        ):
            return self._outcome(day, booking, _("Aucune demande en cours."), changed=False)
        if day <= self.now.date():
            raise CommandError(_("Cette journée est passée : elle ne peut plus être modifiée."))
        for request in pending_requests_of(booking):
            request.state, request.decided_at = RequestState.withdrawn, utcnow()
        if booking.state in (BookingState.pending, BookingState.waiting):
            booking.state = BookingState.cancelled
            return self._outcome(day, None, _("Demande de réservation retirée."))
        booking.state = BookingState.booked
        return self._outcome(day, booking, _("Demande retirée : la réservation est maintenue."))

    def note(self, day, booking, note=None) -> Outcome:
        """Tell the service something about a booked day (change of pick-up…)."""
        note = (note or "").strip()[:255]
        if booking is None or booking.state != BookingState.booked or not note:
            raise CommandError(_("Indiquez le changement pour une journée réservée."))
        deadline = cancellation_deadline(self.target.service, day)
        timing = change_timing(day, deadline, self.now)
        if timing == ChangeTiming.past:
            raise CommandError(_("Cette journée est passée : elle ne peut plus être modifiée."))
        if timing == ChangeTiming.immediate:
            booking.note = note
            return self._outcome(day, booking, _("Modification enregistrée."))
        booking.state = BookingState.modification
        request = self._request(
            RequestKind.modification,
            booking,
            self._label(day, _("modification")),
            new_value={"note": note},
        )
        return self._outcome(
            day,
            booking,
            _("Délai dépassé : votre demande de modification sera étudiée par le service."),
            request=request,
        )


def pending_requests_of(booking: Booking) -> list[Request]:
    return (
        db.session.query(Request).filter_by(booking_id=booking.id, state=RequestState.pending).all()
    )


def promote_waiting_list(
    service_id: int, school_id: int, day: dt.date, capacity: int | None
) -> list[Booking]:
    """Give freed seats to the waiting list, first come first served (capacity locked)."""
    promoted = []
    while True:
        if capacity is not None and seats_taken(service_id, school_id, day) >= capacity:
            break
        waiting = first_waiting(service_id, school_id, day)
        if waiting is None:
            break
        waiting.state = BookingState.booked
        for request in pending_requests_of(waiting):
            request.state, request.decided_at = RequestState.validated, utcnow()
            request.reason = _("Place libérée : accordée dans l'ordre de la liste d'attente.")
        db.session.flush()
        alert_family(
            waiting.family_id,
            _("Place libérée : réservation confirmée"),
            _(
                "Une place s'est libérée le %(day)s : la réservation de %(child)s au "
                "service « %(service)s » est confirmée.",
                day=f"{day:%d/%m/%Y}",
                child=waiting.child.first_name,
                service=waiting.service.name,
            ),
            kind="waiting_list",
        )
        promoted.append(waiting)
    return promoted


def absence_for_late_cancellation(booking: Booking) -> None:
    """An accepted late cancellation frees the seat but stays an absence, billed unless
    excused (rule 3): billing reads cancelled bookings with an unexcused absence."""
    booking.state = BookingState.cancelled
    booking.attendance = Attendance.absent_unexcused


class ChangeDay(BaseCommand):
    """A parent's click on one cell: book, cancel, withdraw a request, note, or toggle."""

    def __init__(
        self,
        family_id: int,
        child_id,
        service_id,
        day,
        action: str,
        note: str | None = None,
        now: dt.datetime | None = None,
        actor_user_id: int | None = None,
    ):
        self.family_id, self.child_id, self.service_id = family_id, child_id, service_id
        self.raw_day, self.action, self.note = day, action, note
        self.now = now or local_now()
        self.actor = actor_user_id
        self.day: dt.date | None = None
        self.target: Target | None = None

    def validate(self) -> None:
        errors: list[str] = []
        if self.action not in ACTIONS:
            errors.append(_("Action inconnue."))
        if self.note is not None and len(self.note.strip()) > NOTE_MAX_LENGTH:
            errors.append(_("La note ne peut pas dépasser %(max)d caractères.",
                            max=NOTE_MAX_LENGTH))
        self.day = parse_day(self.raw_day)
        if self.day is None:
            errors.append(_("Date invalide : utilisez le format AAAA-MM-JJ."))
        else:
            self.target = load_target(
                self.family_id, self.child_id, self.service_id, self.day, errors
            )
        if errors:
            raise CommandError(errors)

    def run(self) -> Outcome:
        self.validate()
        return in_locked_transaction(
            self.target,
            self.now,
            self.actor,
            lambda changer: changer.apply(self.action, self.day, self.note),
        )


def in_locked_transaction(
    target: Target, now: dt.datetime, actor: int | None, change: Callable[[DayChanger], T]
) -> T:
    """Run `change` with the school × service capacity locked, as one transaction."""
    with transaction():
        capacity = lock_capacity(target.service.id, target.school_id)
        if capacity is None:
            raise CommandError(_("Ce service n'est pas proposé dans l'école de l'enfant."))
        return change(DayChanger(target, capacity, now, actor))
