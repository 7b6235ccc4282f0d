"""What an invoice still asks for: total − credit notes − payments (Decimal, in Python)."""

from __future__ import annotations

from decimal import Decimal

from ...models import Invoice
from .pricing import to_money

ZERO = Decimal("0.00")


def credited(invoice: Invoice) -> Decimal:
    return sum((to_money(note.amount) for note in invoice.credit_notes), ZERO)


def paid(invoice: Invoice) -> Decimal:
    return sum((to_money(payment.amount) for payment in invoice.payments), ZERO)


def creditable(invoice: Invoice) -> Decimal:
    """The most a new credit note may take: the total less earlier credit notes."""
    return max(to_money(invoice.total) - credited(invoice), ZERO)


def amount_due(invoice: Invoice) -> Decimal:
    return max(to_money(invoice.total) - credited(invoice) - paid(invoice), ZERO)


def fully_credited(invoice: Invoice) -> bool:
    return credited(invoice) >= to_money(invoice.total) > ZERO
