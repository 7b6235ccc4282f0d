"""Staff decisions on family requests (domain rule 9): validate or refuse, in bulk.

`validate()` checks every request before anything is written (pending, a reason for a
refusal, a free seat for a booking); `run()` applies all decisions in one transaction, and
each decision creates an alert and a mail for the family. The handlers of the other
request kinds (data changes, documents) are added to `HANDLERS` in one place:
app.services.request_handlers, called when the app is created.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import (
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
)
from ...models.base import utcnow
from ..alerts import alert_family
from ..calendar import local_today
from ..command import BaseCommand
from ..errors import CommandError, transaction
from .capacity import lock_capacity, seats_taken
from .day import absence_for_late_cancellation, promote_waiting_list
from .enrolment_rules import apply_enrolment_bounds
from .staleness import stale_reason

VALIDATE, REFUSE = "validate", "refuse"


@dataclass
class Handler:
    """What validating / refusing a kind of request does; `check` returns a problem or None."""

    validate: Callable[[Request], None]
    refuse: Callable[[Request], None]
    check: Callable[[Request], str | None] = lambda request: None


def _free_seat(booking: Booking) -> str | None:
    capacity = lock_capacity(booking.service_id, booking.school_id)
    if capacity is None:
        return _("service non proposé dans cette école")
    if seats_taken(booking.service_id, booking.school_id, booking.day) >= capacity:
        return _("journée complète (%(capacity)s places)", capacity=capacity)
    return None


def _book(request: Request) -> None:
    request.booking.state = BookingState.booked


def _refuse_booking(request: Request) -> None:
    request.booking.state = BookingState.refused


def _accept_cancellation(request: Request) -> None:
    booking = request.booking
    absence_for_late_cancellation(booking)
    # The absent child keeps no seat: the day's waiting list may move up.
    booking.state = BookingState.cancelled
    db.session.flush()
    capacity = lock_capacity(booking.service_id, booking.school_id)
    promote_waiting_list(booking.service_id, booking.school_id, booking.day, capacity)


def _keep_booking(request: Request) -> None:
    request.booking.state = BookingState.booked


def _accept_modification(request: Request) -> None:
    request.booking.state = BookingState.booked
    request.booking.note = json.loads(request.new_value or "{}").get("note")


def _enrolment_state(state: str) -> Callable[[Request], None]:
    def apply(request: Request) -> None:
        request.enrolment.state = state

    return apply


def _apply_enrolment_change(request: Request) -> None:
    change = json.loads(request.new_value or "{}")
    enrolment: Enrolment = request.enrolment
    for field in ("start_date", "end_date"):
        if change.get(field):
            setattr(enrolment, field, dt.date.fromisoformat(change[field]))
    if "comment" in change:
        enrolment.comment = change["comment"]
    db.session.flush()
    apply_enrolment_bounds(enrolment, local_today())


def _cancel_enrolment(request: Request) -> None:
    """Future days only: past bookings (attended, billed) are never touched."""
    enrolment: Enrolment = request.enrolment
    enrolment.state = EnrolmentState.cancelled
    db.session.flush()
    apply_enrolment_bounds(enrolment, local_today())


def _check_booking(request: Request) -> str | None:
    return stale_reason(request) or _free_seat(request.booking)


def _nothing(request: Request) -> None:
    return None


HANDLERS: dict[str, Handler] = {
    RequestKind.booking: Handler(_book, _refuse_booking, _check_booking),
    RequestKind.waiting_list: Handler(_book, _refuse_booking, _check_booking),
    RequestKind.cancellation: Handler(_accept_cancellation, _keep_booking, stale_reason),
    RequestKind.modification: Handler(_accept_modification, _keep_booking, stale_reason),
    RequestKind.enrolment: Handler(
        _enrolment_state(EnrolmentState.validated),
        _enrolment_state(EnrolmentState.refused),
        stale_reason,
    ),
    RequestKind.enrolment_change: Handler(_apply_enrolment_change, _nothing, stale_reason),
    RequestKind.enrolment_cancel: Handler(_cancel_enrolment, _nothing, stale_reason),
}
_BOOKING_KINDS = {RequestKind.booking, RequestKind.waiting_list, RequestKind.cancellation,
                  RequestKind.modification}


def decision_text(request: Request, validated: bool, reason: str) -> tuple[str, str]:
    """The alert (and mail) of a decision, in full: what, which day, which child, why."""
    child = request.child.first_name if request.child else None
    what = (_("« %(summary)s » pour %(child)s", summary=request.summary, child=child) if child
            else _("« %(summary)s »", summary=request.summary))
    sent = request.created_at.strftime("%d/%m/%Y") if request.created_at else ""
    if validated:
        return (_("Demande acceptée : %(summary)s", summary=request.summary),
                _("Le service a accepté votre demande %(what)s, envoyée le %(sent)s.",
                  what=what, sent=sent))
    return (_("Demande refusée : %(summary)s", summary=request.summary),
            _("Le service a refusé votre demande %(what)s, envoyée le %(sent)s.\n\n"
              "Motif : %(reason)s", what=what, sent=sent, reason=reason))


class DecideRequests(BaseCommand):
    """Validate or refuse several pending requests at once (the staff queue's actions)."""

    def __init__(
        self,
        request_ids: list[int],
        decision: str,
        staff_user_id: int | None,
        reason: str | None = None,
    ):
        self.request_ids = sorted({int(i) for i in request_ids})
        self.decision = decision
        self.staff_user_id = staff_user_id
        self.reason = (reason or "").strip()
        self.requests: list[Request] = []

    def validate(self) -> None:
        errors: list[str] = []
        if self.decision not in (VALIDATE, REFUSE):
            errors.append(_("Décision inconnue."))
        if not self.request_ids:
            errors.append(_("Sélectionnez au moins une demande."))
        if self.decision == REFUSE and not self.reason:
            errors.append(_("Indiquez le motif du refus : il sera communiqué à la famille."))
        self.requests = (
            db.session.query(Request)
            .filter(Request.id.in_(self.request_ids))
            .order_by(Request.created_at, Request.id)
            .all()
        )
        if len(self.requests) != len(self.request_ids):
            errors.append(_("Certaines demandes n'existent plus."))
        for request in self.requests:
            errors.extend(self._problems(request))
        if errors:
            raise CommandError(errors)

    def _problems(self, request: Request) -> list[str]:
        if request.state != RequestState.pending:
            return [_("« %(summary)s » a déjà été traitée.", summary=request.summary)]
        handler = HANDLERS.get(request.kind)
        if handler is None:
            return [_("« %(summary)s » se traite dans son propre écran.", summary=request.summary)]
        if request.kind in _BOOKING_KINDS and request.booking is None:
            # The booking was deleted since (its child removed): nothing left to decide.
            return [_("« %(summary)s » ne porte plus sur aucune réservation.",
                      summary=request.summary)]
        if self.decision == VALIDATE:
            problem = handler.check(request)
            if problem:
                return [
                    _("« %(summary)s » : %(problem)s.", summary=request.summary, problem=problem)
                ]
        return []

    def run(self) -> list[Request]:
        with transaction():
            return self.apply()

    def apply(self) -> list[Request]:
        """`validate()` and decide, inside the caller's transaction (a command deciding a
        request among other changes: `documents.commands.ReviewDocument`)."""
        self.validate()
        for request in self.requests:
            self._decide(request)
        return self.requests

    def _decide(self, request: Request) -> None:
        if request.state != RequestState.pending:
            return  # withdrawn by an earlier decision of the batch (an enrolment cancelled)
        handler = HANDLERS[request.kind]
        # Who decides, for the handlers that record it (a plain attribute, not a column:
        # the request row itself is written once, below).
        request.deciding_staff_id = self.staff_user_id
        if self.decision == VALIDATE:
            # Validations in one batch may compete for the same day's last seats.
            problem = handler.check(request)
            if problem:
                raise CommandError(
                    _("« %(summary)s » : %(problem)s.", summary=request.summary, problem=problem)
                )
            handler.validate(request)
            request.state = RequestState.validated
        else:
            request.reason = self.reason  # before the handler: it may pass it on (documents)
            handler.refuse(request)
            request.state = RequestState.refused
        request.decided_by_id = self.staff_user_id
        request.decided_at = utcnow()
        db.session.flush()
        title, message = decision_text(request, self.decision == VALIDATE, self.reason)
        alert_family(
            request.family_id, title, message, request_id=request.id, kind="request_decision"
        )
