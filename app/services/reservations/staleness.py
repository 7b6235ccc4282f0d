"""Why a pending request no longer makes sense (the day is past, the enrolment is gone or no
longer covers the day, the booking changed since): such a request cannot be validated, and
the staff queue shows the reason beside it, in French.

`stale_reasons` works for a whole page of requests in one query (the enrolments of the
page's children); `stale_reason` is the one-request form the decisions use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from ...extensions import db
from ...models import (
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    SchoolYear,
)
from ..calendar import local_today
from .enrolment_rules import covers

ABSENCE = "absence"
_BOOKING_KINDS = {
    RequestKind.booking: (BookingState.pending, BookingState.waiting),
    RequestKind.waiting_list: (BookingState.pending, BookingState.waiting),
    RequestKind.modification: (BookingState.modification,),
    RequestKind.cancellation: (BookingState.cancellation,),
    ABSENCE: (BookingState.booked,),
}
_Key = tuple[int, int, int]


def _enrolments(bookings: list[Booking]) -> dict[_Key, list[Enrolment]]:
    children = {b.child_id for b in bookings}
    if not children:
        return {}
    rows = (
        db.session.query(Enrolment)
        .join(SchoolYear, SchoolYear.id == Enrolment.school_year_id)
        .options(contains_eager(Enrolment.school_year))
        .filter(Enrolment.child_id.in_(children), Enrolment.state == EnrolmentState.validated)
        .all()
    )
    found: dict[_Key, list[Enrolment]] = defaultdict(list)
    for enrolment in rows:
        found[(enrolment.family_id, enrolment.child_id, enrolment.service_id)].append(enrolment)
    return found


def _booking_reason(request: Request, enrolments: dict, today: dt.date) -> str | None:
    booking = request.booking
    if booking is None:
        return _("la réservation n'existe plus")
    if booking.state not in _BOOKING_KINDS[request.kind]:
        return _("la réservation a changé depuis la demande")
    if request.kind in (RequestKind.cancellation, ABSENCE):
        return None  # a past day's cancellation or absence is still decided (billing)
    if booking.day < today:
        return _("le jour (%(day)s) est passé", day=f"{booking.day:%d/%m/%Y}")
    key = (booking.family_id, booking.child_id, booking.service_id)
    if not any(covers(e, booking.day) for e in enrolments.get(key, [])):
        return _("aucune inscription validée ne couvre ce jour")
    return None


def _enrolment_reason(request: Request, today: dt.date) -> str | None:
    enrolment = request.enrolment
    if request.kind == RequestKind.enrolment:
        if enrolment is None or enrolment.state != EnrolmentState.pending:
            return _("l'inscription n'est plus en attente")
        if enrolment.school_year.end_date < today:
            return _("l'année scolaire est terminée")
        return None
    if enrolment is None or enrolment.state != EnrolmentState.validated:
        return _("l'inscription n'est plus validée")
    change = json.loads(request.new_value or "{}")
    start = dt.date.fromisoformat(change["start_date"]) if change.get("start_date") else None
    end = dt.date.fromisoformat(change["end_date"]) if change.get("end_date") else None
    start, end = start or enrolment.start_date, end or enrolment.end_date
    if start and end and end < start:
        return _("la date de fin précède la date de début")
    return None


def stale_reasons(requests: Iterable[Request], today: dt.date | None = None) -> dict[int, str]:
    """request id → why it can no longer be validated (only the stale ones)."""
    requests = list(requests)
    today = today or local_today()
    bookings = [r.booking for r in requests if r.kind in _BOOKING_KINDS and r.booking]
    enrolments = _enrolments(bookings)
    reasons: dict[int, str] = {}
    for request in requests:
        if request.kind in _BOOKING_KINDS:
            reason = _booking_reason(request, enrolments, today)
        elif request.kind in (
            RequestKind.enrolment,
            RequestKind.enrolment_change,
            RequestKind.enrolment_cancel,
        ):
            reason = _enrolment_reason(request, today)
        else:
            reason = None
        if reason:
            reasons[request.id] = reason
    return reasons


def stale_reason(request: Request) -> str | None:
    return stale_reasons([request]).get(request.id)
