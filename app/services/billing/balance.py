"""To remove: the old names of what an invoice still asks for; use
`app.services.money.InvoiceBalance` (total − credit notes − payments, Decimal, in Python)."""

from __future__ import annotations

from decimal import Decimal

from ...models import Invoice
from ..money import ZERO, InvoiceBalance  # noqa: F401  (ZERO: re-exported)


def credited(invoice: Invoice) -> Decimal:
    return InvoiceBalance.of(invoice).credited


def paid(invoice: Invoice) -> Decimal:
    return InvoiceBalance.of(invoice).paid


def creditable(invoice: Invoice) -> Decimal:
    """The most a new credit note may take: the total less earlier credit notes."""
    return InvoiceBalance.of(invoice).creditable


def amount_due(invoice: Invoice) -> Decimal:
    return InvoiceBalance.of(invoice).due


def fully_credited(invoice: Invoice) -> bool:
    return InvoiceBalance.of(invoice).fully_credited
