"""A school year without surprises, in the shop window: a declared absence waiting for
staff (Martin), a credit from a payment received twice (Bernard), and an invoice whose
family moved after it was issued (Morel: the PDF keeps the address of the day)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from ..extensions import db
from ..models import (
    Booking,
    BookingState,
    CreditKind,
    FamilyCredit,
    Invoice,
    Request,
    RequestKind,
)
from ..services.absences import DAYS_BACK
from .days import Period
from .families import Built

NEW_ADDRESS = ("8 allée des Tilleuls", "35000", "Rennes")


def declared_absence(martin: Built, period: Period, just_now: dt.datetime) -> None:
    booking = (
        db.session.query(Booking)
        .filter(Booking.family_id == martin.family.id, Booking.state == BookingState.booked,
                Booking.attendance.is_(None),
                Booking.day >= period.today - dt.timedelta(days=DAYS_BACK))
        .order_by(Booking.day).first()
    )
    if booking is None:
        return
    child = booking.child
    db.session.add(Request(
        family_id=martin.family.id, child_id=child.id, kind=RequestKind.absence,
        summary=f"{child.first_name} {child.last_name} — {booking.service.name} — "
                f"{booking.day:%d/%m/%Y} : absence signalée",
        booking_id=booking.id, created_by_id=martin.users[0].id if martin.users else None,
        created_at=just_now,
        new_value=json.dumps({"reason": "family", "comment": "Mariage de sa tante en Bretagne"},
                             ensure_ascii=False)))


def overpayment_credit(bernard: Built, period: Period) -> None:
    invoice = (
        db.session.query(Invoice).filter(Invoice.family_id == bernard.family.id)
        .order_by(Invoice.issued_on.desc()).first()
    )
    if invoice is None:
        return
    db.session.add(FamilyCredit(
        family_id=bernard.family.id, kind=CreditKind.overpayment, amount=Decimal("18.60"),
        invoice_id=invoice.id, on_date=period.today - dt.timedelta(days=3),
        comment=f"Chèque reçu après le paiement en ligne de la facture {invoice.number}"))


def moved_after_issue(morel: Built) -> None:
    if db.session.query(Invoice.id).filter(Invoice.family_id == morel.family.id).first():
        family = morel.family
        family.address, family.postal_code, family.city = NEW_ADDRESS


def year_without_surprises(built: list[Built], period: Period,
                           just_now: dt.datetime) -> None:
    by_index = {item.spec.index: item for item in built}
    if 1 in by_index:
        declared_absence(by_index[1], period, just_now)
    if 3 in by_index:
        overpayment_credit(by_index[3], period)
    if 4 in by_index:
        moved_after_issue(by_index[4])
