"""Avoir de trop-perçu: money received beyond what an invoice owed is never lost nor counted
twice. It becomes a visible credit of the family (`FamilyCredit` movements), offered against
the next invoice automatically at issue (an allocation, and a `credit` payment on that
invoice), or paid back through a recorded refund (bank details, staff, date).

The family's credit = overpayments − allocations − refunds (Decimal, summed in Python).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from ...extensions import db
from ...models import CreditKind, FamilyCredit, Invoice, Payment, PaymentMethod
from ..calendar import local_today
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from ..money import ZERO, InvoiceBalance, euros, parse_amount, to_money
from .balance import credit_balances


def credit_balance(family_id: int) -> Decimal:
    return credit_balances([family_id]).get(family_id, ZERO)


def movements(family_id: int) -> list[FamilyCredit]:
    return (
        db.session.query(FamilyCredit)
        .filter(FamilyCredit.family_id == family_id)
        .order_by(FamilyCredit.created_at, FamilyCredit.id)
        .all()
    )


def record_overpayment(family_id: int, invoice_id: int | None, amount: Decimal,
                       payment_id: int | None = None, comment: str | None = None,
                       on_date: dt.date | None = None) -> FamilyCredit:
    """Inside the caller's transaction."""
    row = FamilyCredit(family_id=family_id, kind=CreditKind.overpayment,
                       amount=to_money(amount), invoice_id=invoice_id, payment_id=payment_id,
                       on_date=on_date or local_today(), comment=comment)
    db.session.add(row)
    return row


def allocate_credits(invoices: list[Invoice], on_date: dt.date) -> list[FamilyCredit]:
    """Offer each family's credit against its newly issued invoice (the caller's
    transaction; the invoices are flushed)."""
    available = credit_balances(invoice.family_id for invoice in invoices)
    allocations = []
    for invoice in invoices:
        credit = available.get(invoice.family_id, ZERO)
        due = InvoiceBalance.of(invoice).due
        amount = min(credit, due)
        if amount <= ZERO:
            continue
        available[invoice.family_id] = credit - amount
        payment = Payment(family_id=invoice.family_id, invoice=invoice, amount=amount,
                          method=PaymentMethod.credit, received_on=on_date,
                          reference=_("Avoir de trop-perçu")[:120])
        db.session.add(payment)
        db.session.flush()
        row = FamilyCredit(family_id=invoice.family_id, kind=CreditKind.allocation,
                           amount=amount, invoice_id=invoice.id, payment_id=payment.id,
                           on_date=on_date,
                           comment=_("Imputé sur la facture %(number)s", number=invoice.number))
        db.session.add(row)
        allocations.append(row)
    if allocations:
        from .balance import refresh_invoice_state

        for row in allocations:
            refresh_invoice_state(row.invoice or db.session.get(Invoice, row.invoice_id))
    return allocations


class RefundCredit(BaseCommand):
    """Staff pay back (part of) a family's credit by bank transfer."""

    def __init__(self, family_id: int, amount, holder: str | None, iban: str | None,
                 reference: str | None, on_date, staff_user_id: int | None):
        self.family_id, self.raw_amount = family_id, amount
        self.holder, self.raw_iban = (holder or "").strip()[:140], iban
        self.reference = (reference or "").strip()[:120] or None
        self.raw_date, self.staff = on_date, staff_user_id

    def validate(self) -> None:
        from ..reservations.lookup import parse_typed_day
        from .sepa import SepaError, clean_iban

        errors = ErrorCollector()
        self.amount = None
        try:
            self.amount = parse_amount(self.raw_amount, "amount")
        except CommandError as refused:
            errors.add(refused.messages[0], "amount")
        available = credit_balance(self.family_id)
        if self.amount is not None and self.amount <= ZERO:
            errors.add(_("Le montant d'un remboursement doit être positif."), "amount")
        elif self.amount is not None and self.amount > available:
            errors.add(_("Le remboursement dépasse l'avoir disponible (%(credit)s).",
                         credit=euros(available)), "amount")
        if not self.holder:
            errors.add(_("Indiquez le titulaire du compte à rembourser."), "holder")
        try:
            self.iban = clean_iban(self.raw_iban)
        except SepaError as refused:
            errors.add(str(refused), "iban")
        self.on_date = parse_typed_day(self.raw_date) if self.raw_date else local_today()
        if self.on_date is None or self.on_date > local_today():
            errors.add(_("Indiquez la date du virement (aujourd'hui ou avant)."), "on_date")
        errors.raise_if_any()

    def run(self) -> FamilyCredit:
        self.validate()
        with transaction():
            row = FamilyCredit(family_id=self.family_id, kind=CreditKind.refund,
                               amount=self.amount, on_date=self.on_date,
                               refund_holder=self.holder, refund_iban=self.iban,
                               refund_reference=self.reference, recorded_by_id=self.staff)
            db.session.add(row)
        return row
