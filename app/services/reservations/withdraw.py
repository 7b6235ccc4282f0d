"""A parent takes back their own pending request (enrolment, late booking, waiting list,
change of a booking, data change, declared absence) until staff decide."""

from __future__ import annotations

from flask_babel import gettext as _

from ...extensions import db
from ...models import BookingState, EnrolmentState, Request, RequestKind, RequestState
from ...models.base import utcnow
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction

WITHDRAWABLE = (
    RequestKind.enrolment,
    RequestKind.enrolment_change,
    RequestKind.enrolment_cancel,
    RequestKind.booking,
    RequestKind.waiting_list,
    RequestKind.modification,
    RequestKind.cancellation,
    RequestKind.data_change,
    "absence",
)


def can_withdraw(request: Request) -> bool:
    return request.state == RequestState.pending and request.kind in WITHDRAWABLE


class WithdrawRequest(BaseCommand):
    def __init__(self, family_ids: list[int], request_id, actor_user_id: int | None = None):
        self.family_ids, self.raw_id, self.actor = set(family_ids), request_id, actor_user_id
        self.request: Request | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        try:
            request = db.session.get(Request, int(self.raw_id))
        except (TypeError, ValueError):
            request = None
        if request is None or request.family_id not in self.family_ids:
            raise CommandError(_("Demande inconnue."))
        if request.state != RequestState.pending:
            errors.add(_("Cette demande a déjà été traitée par le service."))
        elif request.kind not in WITHDRAWABLE:
            errors.add(_("Cette demande ne peut pas être retirée."))
        errors.raise_if_any()
        self.request = request

    def run(self) -> Request:
        self.validate()
        request = self.request
        with transaction():
            _undo(request)
            request.state, request.decided_at = RequestState.withdrawn, utcnow()
            request.reason = _("Retirée par la famille.")
        return request


def _undo(request: Request) -> None:
    """Put back what the request had changed while it waited."""
    booking = request.booking
    if booking is not None and request.kind in (RequestKind.booking, RequestKind.waiting_list):
        if booking.state in (BookingState.pending, BookingState.waiting):
            booking.state = BookingState.cancelled
    elif booking is not None and request.kind in (
        RequestKind.modification,
        RequestKind.cancellation,
    ):
        if booking.state in (BookingState.modification, BookingState.cancellation):
            booking.state = BookingState.booked
    elif (
        request.kind == RequestKind.enrolment
        and request.enrolment is not None
        and request.enrolment.state == EnrolmentState.pending
    ):
        request.enrolment.state = EnrolmentState.cancelled
