"""Issued invoices for the demo's complete months, and the payments families made.

A deliberately small stand-in for the billing engine: one invoice per family and month
(terme échu), a line per child × service (days billed = bookings kept, excused absences
excepted; meals without booking on their own line at the higher price), the QF valid on
the month's first day, numbers from the gap-free FAC sequence of the issue year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from flask_babel import format_date
from sqlalchemy import func, or_

from ..extensions import db
from ..models import (
    Attendance,
    Booking,
    BookingState,
    DocumentSequence,
    Invoice,
    InvoiceLine,
    InvoiceState,
    Payment,
    PaymentMethod,
    TariffBracket,
)
from .days import Period, first_working_day, next_month
from .families import Built
from .town import Town

_METHODS = (PaymentMethod.card, PaymentMethod.cheque, PaymentMethod.transfer, PaymentMethod.cash)
_METHOD_WEIGHTS = (55, 25, 15, 5)


def _bracket(brackets: list[TariffBracket], qf: int | None) -> TariffBracket:
    if qf is None:  # no valid attestation: the highest bracket applies
        return brackets[-1]
    return next((b for b in brackets if b.qf_min <= qf and (b.qf_max is None or qf <= b.qf_max)),
                brackets[-1])


def _billable(family_ids: list[int], month: dt.date) -> dict[int, list[tuple]]:
    """family id → [(child id, service id, unbooked, days)] for the month."""
    last = next_month(month) - dt.timedelta(days=1)
    result: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(family_ids), 500):
        rows = (db.session.query(Booking.family_id, Booking.child_id, Booking.service_id,
                                 Booking.unbooked, func.count())
                .filter(Booking.family_id.in_(family_ids[start:start + 500]),
                        Booking.day.between(month, last), Booking.state == BookingState.booked,
                        or_(Booking.attendance.is_(None),
                            Booking.attendance != Attendance.absent_excused))
                .group_by(Booking.family_id, Booking.child_id, Booking.service_id,
                          Booking.unbooked)
                .order_by(Booking.family_id, Booking.child_id, Booking.service_id,
                          Booking.unbooked))
        for family_id, *line in rows:
            result[family_id].append(tuple(line))
    return result


class _Numbers:
    """FAC-YYYY-NNNNNN, gap-free per issue year (the sequence row moves with the invoices)."""

    def __init__(self):
        self.rows: dict[int, DocumentSequence] = {}

    def next(self, year: int) -> str:
        row = self.rows.get(year)
        if row is None:
            row = db.session.query(DocumentSequence).filter_by(prefix="FAC", year=year).first()
            if row is None:
                row = DocumentSequence(prefix="FAC", year=year, last_number=0)
                db.session.add(row)
            self.rows[year] = row
        row.last_number += 1
        return f"FAC-{year}-{row.last_number:06d}"


def _lines(item: Built, lines: list[tuple], town: Town, month: dt.date) -> list[InvoiceLine]:
    children = {c.id: c for c in item.children.values()}
    services = {s.id: s for s in town.services.values()}
    qf = item.spec.qf.get(month.year)
    period_label = format_date(month, "MMMM yyyy")
    result = []
    for child_id, service_id, unbooked, days in lines:
        bracket = _bracket(town.brackets[service_id], qf)
        price = bracket.unbooked_price if unbooked else bracket.unit_price
        child, service = children[child_id], services[service_id]
        label = f"{child.first_name} {child.last_name} — {service.name} — {period_label}"
        if unbooked:
            label += " (sans réservation)"
        result.append(InvoiceLine(child_id=child_id, service_id=service_id, label=label,
                                  quantity=days, unit_price=price,
                                  amount=(price * days).quantize(Decimal("0.01"))))
    return result


def _payment(invoice: Invoice, rng: random.Random, share: float, today: dt.date,
             agent_id: int | None) -> None:
    received = invoice.issued_on + dt.timedelta(days=rng.randint(2, 20))
    if rng.random() > share or received >= today:
        return
    method = rng.choices(_METHODS, _METHOD_WEIGHTS)[0]
    reference = {PaymentMethod.card: f"PAYFIP-{invoice.number}",
                 PaymentMethod.cheque: f"Chèque n° {rng.randint(1000000, 9999999)}",
                 PaymentMethod.transfer: f"VIR {invoice.number}"}.get(method)
    db.session.add(Payment(family=invoice.family, invoice=invoice, amount=invoice.total,
                           method=method, received_on=received, reference=reference,
                           recorded_by_id=None if method == PaymentMethod.card else agent_id))
    invoice.state = InvoiceState.paid


def create_invoices(built: list[Built], town: Town, period: Period,
                    agent_id: int | None) -> int:
    numbers, count = _Numbers(), 0
    by_id = {item.family.id: item for item in built}
    for position, month in enumerate(period.months):
        issued = first_working_day(next_month(month))
        # The older month is mostly paid by now; the latest one only in part.
        share = 0.85 if position < len(period.months) - 1 else 0.45
        billable = _billable(list(by_id), month)
        for family_id, item in by_id.items():
            if not billable.get(family_id):
                continue
            lines = _lines(item, billable[family_id], town, month)
            invoice = Invoice(number=numbers.next(issued.year), family=item.family,
                              period_start=month, issued_on=issued,
                              due_on=issued + dt.timedelta(days=30), lines=lines,
                              total=sum((line.amount for line in lines), Decimal("0.00")))
            db.session.add(invoice)
            rng = random.Random(f"portail-demo-payment-{item.spec.index}-{month}")
            _payment(invoice, rng, share, period.today, agent_id)
            count += 1
    return count
