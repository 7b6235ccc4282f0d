"""Payments recorded by staff: cheque, cash, CESU, bank transfer; partial payments allowed.

Rules (checked for every staff-recorded payment, whichever form records it):
- a payment settles one invoice of the family, at most what is left to pay on it;
- card and direct debit are never typed in: they come from PayFiP's verified notification
  and from the SEPA batch;
- CESU pay childcare (accueil périscolaire) only, never meals: on an invoice, CESU may
  settle at most the childcare lines' total, less the CESU already received on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import select

from ...extensions import db
from ...models import (
    Invoice,
    InvoiceState,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    TransactionState,
)
from ..calendar import local_today
from ..errors import CommandError
from ..money import InvoiceBalance, euros, to_money, total
from .balance import ZERO, refresh_invoice_state

STAFF_METHODS = (
    PaymentMethod.cheque,
    PaymentMethod.cash,
    PaymentMethod.cesu,
    PaymentMethod.transfer,
)


class PaymentError(CommandError, ValueError):
    """A payment staff may not record; the message is French."""


def childcare_total(invoice: Invoice) -> Decimal:
    return total(line.amount for line in invoice.lines
                 if line.service is not None and line.service.is_childcare)


def outstanding_without(invoice: Invoice, item: Payment | None = None) -> Decimal:
    """What is left to pay on the invoice, not counting `item` (the payment being checked)."""
    return InvoiceBalance.of(invoice, without=item).outstanding


def cesu_cap(invoice: Invoice, item: Payment | None = None) -> Decimal:
    """The most CESU may still settle on the invoice (its childcare part)."""
    cesu_paid = total(p.amount for p in invoice.payments
                      if p is not item and p.method == PaymentMethod.cesu)
    return max(min(childcare_total(invoice) - cesu_paid, outstanding_without(invoice, item)),
               ZERO)


def _euros(value: Decimal) -> str:
    return euros(value, space=" ", before_sign=" ")


def check_payment(item: Payment, today: dt.date | None = None) -> None:
    """Raise PaymentError when staff may not record `item` (new or edited)."""
    with db.session.no_autoflush:  # `item` may not be in the session yet
        _check(item, today)


def _check(item: Payment, today: dt.date | None) -> None:
    if item.method not in STAFF_METHODS:
        raise PaymentError(_l("Les paiements par carte et par prélèvement sont enregistrés "
                              "automatiquement : choisissez chèque, espèces, CESU ou virement."))
    amount = Decimal(str(item.amount)) if item.amount is not None else None
    if amount is None or amount <= ZERO:
        raise PaymentError(_l("Le montant d'un règlement doit être positif."))
    if amount != to_money(amount):
        raise PaymentError(_l("Le montant a au plus deux décimales."))
    if item.received_on and item.received_on > (today or local_today()):
        raise PaymentError(_l("La date de réception ne peut pas être dans le futur."))
    invoice = item.invoice or (db.session.get(Invoice, item.invoice_id) if item.invoice_id
                               else None)
    if invoice is None:
        raise PaymentError(_l("Choisissez la facture que ce règlement paie."))
    if invoice.family_id != item.family_id and (item.family is None
                                                or invoice.family_id != item.family.id):
        raise PaymentError(_l("Cette facture n'est pas celle de cette famille."))
    if invoice.state == InvoiceState.cancelled:
        raise PaymentError(_l("Cette facture est annulée par un avoir : rien à payer."))
    if item.id is None:
        _check_online_pending(invoice, item)
    _check_amount(invoice, item, amount)


def pending_online(invoice_id: int) -> PaymentTransaction | None:
    """The invoice's online payment started and not answered yet (the bank may still
    confirm it, even late)."""
    return db.session.scalars(
        select(PaymentTransaction)
        .where(PaymentTransaction.invoice_id == invoice_id,
               PaymentTransaction.state == TransactionState.pending)
        .order_by(PaymentTransaction.created_at.desc())
    ).first()


def pending_text(txn: PaymentTransaction) -> str:
    started = to_user_timezone(txn.created_at.replace(tzinfo=dt.UTC))
    return str(_l("paiement en ligne de %(amount)s commencé le %(day)s à %(time)s "
                  "(référence %(reference)s)", amount=_euros(to_money(txn.amount)),
                  day=started.strftime("%d/%m/%Y"), time=started.strftime("%H:%M"),
                  reference=txn.transaction_id or txn.reference))


def _check_online_pending(invoice: Invoice, item: Payment) -> None:
    """Every euro once: while the bank may still confirm an online payment, staff record
    another payment only with an explicit reason (stored on the payment, audited)."""
    txn = pending_online(invoice.id)
    if txn is None:
        return
    if not (item.override_reason or "").strip():
        raise PaymentError(_l(
            "Un %(pending)s attend la confirmation de la banque sur la facture %(number)s : "
            "l'enregistrer aussi ferait payer deux fois. Attendez la confirmation, ou "
            "indiquez le motif pour enregistrer quand même (le paiement en ligne confirmé "
            "deviendra un avoir de trop-perçu).", pending=pending_text(txn),
            number=invoice.number))
    item.override_reason = str(_l("Enregistré malgré le %(pending)s : %(reason)s",
                                  pending=pending_text(txn),
                                  reason=item.override_reason.strip()))[:2000]


def _check_amount(invoice: Invoice, item: Payment, amount: Decimal) -> None:
    left = outstanding_without(invoice, item)
    if amount > left:
        raise PaymentError(_l("Le montant dépasse le reste à payer de la facture %(number)s "
                              "(%(left)s).", number=invoice.number, left=_euros(max(left, ZERO))))
    if item.method != PaymentMethod.cesu:
        return
    cap = cesu_cap(invoice, item)
    if cap <= ZERO:
        raise PaymentError(_l("Les CESU ne paient que l'accueil périscolaire : il n'en reste "
                              "rien à payer sur la facture %(number)s (les repas ne se paient "
                              "pas en CESU).", number=invoice.number))
    if amount > cap:
        raise PaymentError(_l("Les CESU ne paient que l'accueil périscolaire : %(cap)s au plus "
                              "sur la facture %(number)s (les repas ne se paient pas en CESU).",
                              cap=_euros(cap), number=invoice.number))


def record_payment(family_id: int, invoice_id: int, amount: Decimal, method: str,
                   received_on: dt.date, reference: str | None = None,
                   comment: str | None = None, user_id: int | None = None,
                   override_reason: str | None = None) -> Payment:
    """Record a staff payment and update the invoice's state; commits. Concurrent
    recordings on one invoice are serialised by locking the invoice row."""
    invoice = db.session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is None:
        raise PaymentError(_l("Choisissez la facture que ce règlement paie."))
    db.session.refresh(invoice, ["payments", "credit_notes"])
    payment = Payment(
        family_id=family_id, invoice=invoice, amount=amount, method=method,
        received_on=received_on, reference=(reference or "").strip() or None,
        comment=(comment or "").strip() or None, recorded_by_id=user_id,
        override_reason=(override_reason or "").strip() or None,
    )
    try:
        check_payment(payment)
    except PaymentError:
        db.session.rollback()
        raise
    db.session.add(payment)
    refresh_invoice_state(invoice)
    db.session.commit()
    return payment


def settle_invoice(invoice_id: int | None) -> None:
    """Bring an invoice's state in line after one of its payments was added, edited or
    deleted elsewhere (the FAB payment form, after its commit); commits."""
    invoice = db.session.get(Invoice, invoice_id) if invoice_id else None
    if invoice is not None:
        refresh_invoice_state(invoice)
        db.session.commit()
