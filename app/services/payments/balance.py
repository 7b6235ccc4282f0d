"""What a family owes: outstanding amount per invoice, the invoice's state, the family's
balance, the unpaid list.

What one invoice owes, and the state it implies, is `app.services.money.InvoiceBalance`
(total − credit notes − payments, Decimal summed in Python). The invoice's `state` column
follows it: `paid` when nothing is left, `payment_pending` while an online payment waits
for its notification, `issued` otherwise; `cancelled` (fully credited) is the billing's
and stays.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    CreditKind,
    CreditNote,
    FamilyCredit,
    Invoice,
    InvoiceState,
    Payment,
    PaymentTransaction,
    SepaBatchLine,
    SepaMandate,
    TransactionState,
)
from ...models.base import utcnow
from ..money import ZERO, InvoiceBalance, to_money, total

#: How each credit movement counts in the family's credit still available.
_SIGN = {CreditKind.overpayment: 1, CreditKind.allocation: -1, CreditKind.refund: -1}


def credit_balances(family_ids: Iterable[int]) -> dict[int, Decimal]:
    """family id → its credit still available (families without any are left out)."""
    ids = sorted(set(family_ids))
    if not ids:
        return {}
    found: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = db.session.query(FamilyCredit.family_id, FamilyCredit.kind, FamilyCredit.amount)
    for family_id, kind, amount in rows.filter(FamilyCredit.family_id.in_(ids)):
        found[family_id] += _SIGN.get(kind, 0) * to_money(amount)
    return {family_id: value for family_id, value in found.items() if value != ZERO}




def invoice_outstanding(invoice: Invoice) -> Decimal:
    """Signed: negative when the family paid too much (see `InvoiceBalance`)."""
    return InvoiceBalance.of(invoice).outstanding


def load_invoices(query) -> list[Invoice]:
    """Invoices with what outstanding amounts need, in a fixed number of queries."""
    return query.options(
        selectinload(Invoice.payments),
        selectinload(Invoice.credit_notes),
    ).all()


def pending_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    minutes = int(current_app.config.get("PAYMENT_PENDING_MINUTES", 20))
    return (now or utcnow()) - dt.timedelta(minutes=minutes)


def _retry_at(pending: PaymentTransaction | None) -> dt.datetime | None:
    """A pending attempt blocks a new one for PAYMENT_PENDING_MINUTES (then abandoned)."""
    if pending is None:
        return None
    minutes = int(current_app.config.get("PAYMENT_PENDING_MINUTES", 20))
    return pending.created_at + dt.timedelta(minutes=minutes)


def live_transactions(invoice_ids: Iterable[int]) -> dict[int, PaymentTransaction]:
    """invoice id → its online payment still waiting for an answer (recent enough)."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(PaymentTransaction)
        .where(
            PaymentTransaction.invoice_id.in_(ids),
            PaymentTransaction.state == TransactionState.pending,
            PaymentTransaction.created_at >= pending_cutoff(),
        )
        .order_by(PaymentTransaction.created_at)
    ).all()
    return {row.invoice_id: row for row in rows}


def families_with_mandate(family_ids: Iterable[int]) -> set[int]:
    """Families whose SEPA mandate is in force now."""
    ids = list(family_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(SepaMandate.family_id).where(
                SepaMandate.family_id.in_(ids), SepaMandate.active.is_(True)
            )
        )
    )


def refresh_invoice_state(invoice: Invoice) -> str:
    """Set the invoice's state from its payments (call after adding or removing a payment,
    a credit note or an online attempt; the caller commits)."""
    if invoice.state == InvoiceState.cancelled:
        return invoice.state
    db.session.flush()
    db.session.refresh(invoice, ["payments", "credit_notes"])
    balance = InvoiceBalance.of(invoice)
    # A full credit note cancels it (as the billing does); live: an online attempt waits.
    invoice.state = balance.state(online_pending=balance.outstanding > ZERO
                                  and bool(live_transactions([invoice.id])))
    return invoice.state


def already_debited(invoice_ids: Iterable[int]) -> set[int]:
    """Invoices that were in a SEPA batch (still unpaid: the bank rejected the debit)."""
    ids = list(invoice_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(SepaBatchLine.invoice_id).where(SepaBatchLine.invoice_id.in_(ids))))


def is_debited(invoice: Invoice, mandated: set[int], debited: set[int]) -> bool:
    """To be collected by SEPA direct debit (so not payable online): the invoice announced
    it (issued while the family's mandate was in force: the invoice is the debit's
    pre-notification), the mandate is still in force, and no batch has debited it yet. A
    revoked mandate, or a debit the bank rejected, makes it payable by every other means."""
    return (bool(invoice.direct_debit) and invoice.family_id in mandated
            and invoice.id not in debited)


@dataclass
class InvoiceStatus:
    """What the family sees of one invoice."""

    invoice: Invoice
    outstanding: Decimal
    paid: Decimal
    credited: Decimal
    state: str  # issued / payment_pending / paid / cancelled
    direct_debit: bool
    pending: PaymentTransaction | None
    retry_at: dt.datetime | None = None  # when a pending payment may be tried again (UTC)

    @property
    def payable_online(self) -> bool:
        return (
            self.state == InvoiceState.issued
            and self.outstanding > ZERO
            and not self.direct_debit
        )


def statuses(invoices: list[Invoice]) -> list[InvoiceStatus]:
    """Status of invoices loaded with `load_invoices` (three more queries at most, whatever
    the count)."""
    live = live_transactions(i.id for i in invoices)
    mandated = families_with_mandate({i.family_id for i in invoices})
    debited = already_debited(i.id for i in invoices if i.direct_debit)
    result = []
    for invoice in invoices:
        balance = InvoiceBalance.of(invoice)
        result.append(InvoiceStatus(
            invoice=invoice,
            outstanding=balance.due,
            paid=balance.paid,
            credited=balance.credited,
            state=balance.state(online_pending=invoice.id in live),
            direct_debit=is_debited(invoice, mandated, debited),
            pending=live.get(invoice.id),
            retry_at=_retry_at(live.get(invoice.id)),
        ))
    return result


@dataclass
class FamilyBalance:
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    credit: Decimal = ZERO  # avoir de trop-perçu still available (app.services.payments.credits)

    @property
    def due(self) -> Decimal:
        """Positive: the family owes it; negative: the family has a credit."""
        return self.invoiced - self.credited - self.paid - self.credit


def family_balances(family_ids: Iterable[int]) -> dict[int, FamilyBalance]:
    """family id → its balance (three queries whatever the count; Decimal sums in Python)."""
    ids = list(family_ids)
    sums: dict[int, list[list]] = {i: [[], [], []] for i in ids}
    for slot, column in enumerate((Invoice.total, CreditNote.amount, Payment.amount)):
        model = column.class_
        for family_id, amount in db.session.execute(
                select(model.family_id, column).where(model.family_id.in_(ids or [-1]))):
            sums[family_id][slot].append(amount)
    credits = credit_balances(ids)
    return {i: FamilyBalance(invoiced=total(a), credited=total(c), paid=total(p),
                             credit=credits.get(i, ZERO))
            for i, (a, c, p) in sums.items()}


def family_balance(family_id: int) -> FamilyBalance:
    return family_balances([family_id])[family_id]


def unpaid_query(today: dt.date, overdue_only: bool = True):
    """Invoices still to pay (not paid, not cancelled), oldest due first."""
    query = db.session.query(Invoice).filter(
        Invoice.state.in_((InvoiceState.issued, InvoiceState.payment_pending))
    )
    if overdue_only:
        query = query.filter(Invoice.due_on < today)
    return query.order_by(Invoice.due_on, Invoice.number)
