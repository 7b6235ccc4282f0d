"""Money, once: the Decimal coercion, the French euro format and parser, what an invoice
still owes (`InvoiceBalance`) and the quotient familial in force on a day.

- `to_money(value)`: any stored or computed amount → Decimal with two places, rounded
  half-up to the cent (a float handed back by SQLite included). The only rounding of money.
- `euros(value)`: Decimal('1234.5') → '1 234,50 €' (no-break spaces: never split).
- `parse_amount(text)`: what a French user types ("1 234,50", "12.5", "8 €") → Decimal;
  refused with a French `AmountError` (a `CommandError`) otherwise.
- `InvoiceBalance.of(invoice)`: total, credited, paid, what is left, the state it implies.
- `current_quotient(family, day)`: the attestation in force (the most recent one wins).

Money is Decimal end to end and summed in Python, never in SQL (SQLite stores floats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Family, Invoice, InvoiceState, Payment, QuotientFamilial
from .errors import CommandError

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NBSP = "\u00a0"  # no-break space (the PDF's standard fonts have it)
NNBSP = "\u202f"  # narrow no-break space: French thousands separator on web pages


class AmountError(CommandError):
    """A typed amount that is not one (French message)."""


def round_half_up(value: Decimal, step: Decimal = CENT) -> Decimal:
    """The one rounding of the code base: half-up to `step` (the cent for money)."""
    return value.quantize(step, rounding=ROUND_HALF_UP)


def to_money(value) -> Decimal:
    """An amount as an exact Decimal with two places, half-up to the cent; None → 0,00."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return round_half_up(Decimal(value))


def total(values: Iterable) -> Decimal:
    """The sum of amounts, each coerced by `to_money`."""
    return sum((to_money(value) for value in values), ZERO)


def euros(value, space: str = NNBSP, before_sign: str = NBSP, sign: str = "€") -> str:
    """Decimal('1234.5') → '1 234,50 €'. `space` separates thousands (narrow no-break on
    pages, no-break in PDFs), `before_sign` precedes the euro sign (`sign=""`: the
    number alone, for a sentence that writes « € » itself)."""
    if value is None:
        return ""
    text = f"{to_money(value):,.2f}".replace(",", space).replace(".", ",")
    return f"{text}{before_sign}{sign}" if sign else text


def parse_amount(value: str | Decimal | int | None, field: str | None = None) -> Decimal:
    """'1 234,50', '12.5', '8 €' → Decimal with two places. More than two decimals, or
    anything that is not a number, raises `AmountError` (French message)."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        text = "".join((value or "").split()).replace(NNBSP, "").replace(NBSP, "")
        text = text.removesuffix("€").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise _refused(_("Montant invalide : saisissez par exemple 12,50."), field) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise _refused(_("Montant invalide : deux décimales au plus."), field)
    return amount.quantize(CENT)


def _refused(message: str, field: str | None) -> AmountError:
    return AmountError(message, {field: message} if field else None)


@dataclass(frozen=True)
class InvoiceBalance:
    """What an invoice still owes: total − credit notes − payments (all Decimal)."""

    total: Decimal
    credited: Decimal
    paid: Decimal
    cancelled: bool = False  # the billing cancelled it (fully credited)

    @classmethod
    def of(cls, invoice: Invoice, without: Payment | None = None) -> InvoiceBalance:
        """The balance of a loaded invoice; `without`: leave that payment out (the one
        being checked or edited)."""
        return cls(
            total=to_money(invoice.total),
            credited=total(note.amount for note in invoice.credit_notes),
            paid=total(p.amount for p in invoice.payments if p is not without),
            cancelled=invoice.state == InvoiceState.cancelled,
        )

    @property
    def outstanding(self) -> Decimal:
        """Signed: negative when the family paid too much."""
        return self.total - self.credited - self.paid

    @property
    def due(self) -> Decimal:
        """What is left to pay (never negative)."""
        return max(self.outstanding, ZERO)

    @property
    def creditable(self) -> Decimal:
        """The most a new credit note may take: the total less earlier credit notes."""
        return max(self.total - self.credited, ZERO)

    @property
    def fully_credited(self) -> bool:
        return self.credited >= self.total > ZERO

    def state(self, online_pending: bool = False) -> str:
        """cancelled (fully credited) / paid / payment_pending / issued."""
        if self.cancelled or self.fully_credited:
            return InvoiceState.cancelled
        if self.outstanding <= ZERO:
            return InvoiceState.paid
        if online_pending:
            return InvoiceState.payment_pending
        return InvoiceState.issued  # an expired online attempt leaves it payable


def quotient_on(quotients: Iterable[QuotientFamilial], day: dt.date) -> QuotientFamilial | None:
    """The attestation valid on `day` among `quotients`: the most recent one when two
    overlap; None when none is (pricing then takes the highest bracket)."""
    valid = [q for q in quotients if q.valid_from <= day <= q.valid_to]
    return max(valid, key=lambda q: (q.valid_from, q.id or 0), default=None)


def current_quotient(family: Family | int, day: dt.date) -> QuotientFamilial | None:
    """The quotient familial of `family` (a Family or its id) in force on `day`."""
    family_id = family if isinstance(family, int) else family.id
    rows = db.session.scalars(select(QuotientFamilial).where(
        QuotientFamilial.family_id == family_id, QuotientFamilial.valid_from <= day,
        QuotientFamilial.valid_to >= day)).all()
    return quotient_on(rows, day)
