"""Report an absence (the brochure: « alerter la structure d'une éventuelle absence »).

For a booked day, even past the cancellation deadline, a parent declares the child absent
with a reason and, for an illness, a medical certificate (the upload checks of
app.services.documents). The declaration is an `absence` request: staff accept it (the
absence is excused, not billed) or refuse it (billed) in the request queue, and the family
gets the alert and the mail of the decision. The attendance sheet shows the declaration.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import (
    Attendance,
    Booking,
    BookingState,
    DocumentType,
    Invoice,
    Request,
    RequestKind,
    RequestState,
)
from .calendar import local_today
from .command import BaseCommand
from .documents import accept_document, reject_document, send_family_document
from .errors import CommandError, ErrorCollector, transaction
from .reservations.decide import Handler
from .reservations.staleness import stale_reason

ILLNESS = "illness"
REASONS = {
    ILLNESS: _l("Maladie (certificat médical)"),
    "family": _l("Raison familiale"),
    "other": _l("Autre raison"),
}
#: How far back a parent may still report an absence (an illness told the next morning).
DAYS_BACK = 7
CERTIFICATE_CODE = "certificat_medical"


def certificate_type() -> DocumentType:
    doc_type = db.session.query(DocumentType).filter_by(code=CERTIFICATE_CODE).first()
    if doc_type is None:
        doc_type = DocumentType(code=CERTIFICATE_CODE, label=str(_("Certificat médical")),
                                required=False)
        db.session.add(doc_type)
        db.session.flush()
    return doc_type


def pending_absence(booking_id: int) -> Request | None:
    return (
        db.session.query(Request)
        .filter_by(booking_id=booking_id, kind=RequestKind.absence, state=RequestState.pending)
        .first()
    )


def declarable_bookings(family_id: int, today: dt.date, limit: int = 200) -> list[Booking]:
    """The family's booked days a parent may report an absence for, soonest first."""
    return (
        db.session.query(Booking)
        .filter(
            Booking.family_id == family_id,
            Booking.state == BookingState.booked,
            Booking.attendance.is_(None),
            Booking.day >= today - dt.timedelta(days=DAYS_BACK),
        )
        .order_by(Booking.day, Booking.child_id, Booking.service_id)
        .limit(limit)
        .all()
    )


class DeclareAbsence(BaseCommand):
    def __init__(self, family_id: int, booking_id, reason: str | None, comment: str | None,
                 upload=None, actor_user_id: int | None = None):
        self.family_id, self.raw_booking = family_id, booking_id
        self.reason = (reason or "").strip()
        self.comment = (comment or "").strip()[:500]
        self.upload, self.actor = upload, actor_user_id
        self.booking: Booking | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        try:
            booking = db.session.get(Booking, int(self.raw_booking))
        except (TypeError, ValueError):
            booking = None
        if booking is None or booking.family_id != self.family_id:
            raise CommandError(fields={"booking": _("Choisissez un jour réservé.")})
        today = local_today()
        if booking.state != BookingState.booked or booking.attendance is not None:
            errors.add(_("Ce jour n'est plus une réservation en cours."), "booking")
        elif booking.day < today - dt.timedelta(days=DAYS_BACK):
            errors.add(_("Une absence se signale au plus tard %(days)s jours après.",
                         days=DAYS_BACK), "booking")
        elif _invoiced(booking):
            errors.add(_("Ce mois est déjà facturé : contactez le service."), "booking")
        elif pending_absence(booking.id) is not None:
            errors.add(_("Une absence est déjà signalée pour ce jour."), "booking")
        if self.reason not in REASONS:
            errors.add(_("Choisissez le motif de l'absence."), "reason")
        elif self.reason == ILLNESS and not getattr(self.upload, "filename", ""):
            errors.add(_("Joignez le certificat médical."), "file")
        errors.raise_if_any()
        self.booking = booking

    def run(self) -> Request:
        self.validate()
        booking = self.booking
        with transaction():
            document = None
            if self.reason == ILLNESS:
                document = send_family_document(self.family_id, certificate_type().id,
                                                booking.child_id, self.upload, self.actor,
                                                make_request=False)
            request = Request(
                family_id=self.family_id, child_id=booking.child_id, kind=RequestKind.absence,
                summary=_summary(booking), booking_id=booking.id,
                document_id=document.id if document else None, created_by_id=self.actor,
                new_value=json.dumps({"reason": self.reason, "comment": self.comment},
                                     ensure_ascii=False),
            )
            db.session.add(request)
            db.session.flush()
        return request


def _invoiced(booking: Booking) -> bool:
    return db.session.query(Invoice.id).filter(
        Invoice.family_id == booking.family_id,
        Invoice.period_start == booking.day.replace(day=1)).first() is not None


def _summary(booking: Booking) -> str:
    child = booking.child
    return _("%(child)s — %(service)s — %(day)s : absence signalée",
             child=f"{child.first_name} {child.last_name}", service=booking.service.name,
             day=f"{booking.day:%d/%m/%Y}")[:255]


def reason_text(request: Request) -> str:
    """The declared reason and comment, as staff read them."""
    value = json.loads(request.new_value or "{}")
    text = str(REASONS.get(value.get("reason"), value.get("reason") or ""))
    return f"{text} — {value['comment']}" if value.get("comment") else text


def declared_absences(bookings: Iterable[Booking]) -> dict[int, Request]:
    """booking id → its latest absence declaration (one query for a whole sheet)."""
    ids = [b.id for b in bookings]
    if not ids:
        return {}
    rows = (
        db.session.query(Request)
        .filter(Request.booking_id.in_(ids), Request.kind == RequestKind.absence,
                Request.state != RequestState.withdrawn)
        .order_by(Request.created_at, Request.id)
        .all()
    )
    return {row.booking_id: row for row in rows}


def _excuse(request: Request) -> None:
    request.booking.attendance = Attendance.absent_excused
    if request.document is not None:
        accept_document(request.document)


def _refuse(request: Request) -> None:
    request.booking.attendance = Attendance.absent_unexcused
    if request.document is not None:
        reject_document(request.document, request.reason)


#: Registered for `absence` requests in app.services.request_handlers.
ABSENCE_HANDLER = Handler(validate=_excuse, refuse=_refuse, check=stale_reason)
