"""Rapprochement: the online transactions whose bank confirmation, amount or invoice
disagree with the portal's books (a fixed number of queries, the most recent first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import CreditKind, FamilyCredit, InvoiceState, PaymentTransaction, TransactionState
from ..money import ZERO, euros, to_money
from .balance import pending_cutoff

LIMIT = 200


@dataclass
class Disagreement:
    txn: PaymentTransaction
    problem: str
    credit: Decimal = ZERO


def _problem(txn: PaymentTransaction, credited: Decimal, cutoff: dt.datetime) -> str | None:
    received = to_money(txn.amount)
    if txn.state == TransactionState.pending:
        if txn.created_at < cutoff:
            return _("sans confirmation de la banque depuis le %(day)s",
                     day=f"{txn.created_at:%d/%m/%Y}")
        return None
    if txn.state != TransactionState.paid:
        return None
    payment = txn.payment
    applied = to_money(payment.amount) if payment is not None else ZERO
    if payment is not None and payment.invoice_id != txn.invoice_id:
        return _("payé sur une autre facture que celle de la transaction")
    if applied + credited != received:
        return _("%(received)s confirmés, %(applied)s enregistrés : écart non expliqué",
                 received=euros(received), applied=euros(applied))
    if credited > ZERO:
        return _("%(received)s confirmés alors que la facture était réglée : %(credit)s en "
                 "avoir de trop-perçu", received=euros(received), credit=euros(credited))
    if txn.invoice is not None and txn.invoice.state == InvoiceState.cancelled:
        return _("facture annulée par avoir après le paiement")
    return None


def _overpayments(rows: list[PaymentTransaction]) -> dict[int, Decimal]:
    """transaction id → the credit its confirmation made (one query)."""
    by_payment: dict[int, Decimal] = {}
    unpaid: list[tuple[int, str, Decimal]] = []
    if not rows:
        return {}
    for payment_id, invoice_id, amount, comment in db.session.query(
            FamilyCredit.payment_id, FamilyCredit.invoice_id, FamilyCredit.amount,
            FamilyCredit.comment).filter(
                FamilyCredit.kind == CreditKind.overpayment,
                FamilyCredit.invoice_id.in_({t.invoice_id for t in rows})):
        if payment_id is not None:
            by_payment[payment_id] = by_payment.get(payment_id, ZERO) + to_money(amount)
        else:
            unpaid.append((invoice_id, comment or "", to_money(amount)))
    found = {}
    for txn in rows:
        if txn.payment_id in by_payment:
            found[txn.id] = by_payment[txn.payment_id]
        elif txn.payment_id is None and txn.transaction_id:
            found[txn.id] = sum((amount for invoice_id, comment, amount in unpaid
                                 if invoice_id == txn.invoice_id
                                 and txn.transaction_id in comment), ZERO)
    return found


def disagreements(now: dt.datetime | None = None) -> list[Disagreement]:
    cutoff = pending_cutoff(now)
    rows = (
        db.session.query(PaymentTransaction)
        .options(selectinload(PaymentTransaction.payment),
                 selectinload(PaymentTransaction.invoice),
                 selectinload(PaymentTransaction.family))
        .filter(PaymentTransaction.state.in_((TransactionState.pending, TransactionState.paid)))
        .order_by(PaymentTransaction.created_at.desc())
        .limit(2000)
        .all()
    )
    credits = _overpayments(rows)
    found = []
    for txn in rows:
        problem = _problem(txn, credits.get(txn.id, ZERO), cutoff)
        if problem:
            found.append(Disagreement(txn, problem, credits.get(txn.id, ZERO)))
        if len(found) >= LIMIT:
            break
    return found
