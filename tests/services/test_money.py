"""The one money module: coercion, French format and parser, invoice balance, quotient."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.models import InvoiceState
from app.services.errors import CommandError
from app.services.money import (
    AmountError,
    InvoiceBalance,
    euros,
    parse_amount,
    quotient_on,
    to_money,
)


@pytest.mark.parametrize(("value", "expected"), [
    (None, "0.00"), (4.15, "4.15"), (0.125, "0.13"), ("2.675", "2.68"), (Decimal("1.005"), "1.01"),
    (Decimal("-1.005"), "-1.01"), (7, "7.00"),
])
def test_to_money_rounds_half_up_to_the_cent(value, expected):
    assert to_money(value) == Decimal(expected)
    assert str(to_money(value)) == expected


def test_euros_is_french_and_never_splits():
    assert euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert euros(Decimal("1234567.891"), space="\u00a0") == "1\u00a0234\u00a0567,89\u00a0€"
    assert euros(Decimal("20.5"), space=" ", before_sign=" ") == "20,50 €"
    assert euros(Decimal("1"), space=" ", sign="") == "1,00"
    assert euros(None) == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("1 234,50", "1234.50"), ("1\u202f234,5", "1234.50"), ("12.5", "12.50"), ("8 €", "8.00"),
    ("1\u00a0000", "1000.00"), (Decimal("3.1"), "3.10"), (4, "4.00"),
])
def test_parse_amount_reads_what_a_french_user_types(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,2,3", "NaN", "Infinity", None])
def test_parse_amount_refuses_with_a_french_command_error(app_ctx, text):
    with pytest.raises(AmountError) as refused:
        parse_amount(text, field="amount")
    assert isinstance(refused.value, CommandError)
    assert refused.value.fields["amount"] and "Montant invalide" in refused.value.message


def _invoice(total, credits=(), payments=(), state=InvoiceState.issued):
    return SimpleNamespace(
        total=total, state=state,
        credit_notes=[SimpleNamespace(amount=a) for a in credits],
        payments=[SimpleNamespace(amount=a) for a in payments],
    )


def test_invoice_balance_and_the_state_it_implies():
    invoice = _invoice(Decimal("70.55"), credits=[Decimal("8.30")], payments=[37.25])
    balance = InvoiceBalance.of(invoice)
    assert (balance.credited, balance.paid, balance.due) == (
        Decimal("8.30"), Decimal("37.25"), Decimal("25.00"))
    assert balance.creditable == Decimal("62.25")
    assert balance.state() == InvoiceState.issued
    assert balance.state(online_pending=True) == InvoiceState.payment_pending
    paid = InvoiceBalance.of(_invoice(Decimal("10"), payments=[Decimal("10"), Decimal("2")]))
    assert (paid.outstanding, paid.due, paid.state(True)) == (
        Decimal("-2.00"), Decimal("0.00"), InvoiceState.paid)
    credited = InvoiceBalance.of(_invoice(Decimal("10"), credits=[Decimal("10")]))
    assert credited.fully_credited and credited.state() == InvoiceState.cancelled


def test_invoice_balance_without_the_payment_being_checked():
    invoice = _invoice(Decimal("50"), payments=[Decimal("20")])
    checked = invoice.payments[0]
    assert InvoiceBalance.of(invoice, without=checked).due == Decimal("50.00")


def test_quotient_on_takes_the_most_recent_valid_attestation():
    old = SimpleNamespace(id=1, value=500, valid_from=dt.date(2026, 1, 1),
                          valid_to=dt.date(2026, 12, 31))
    new = SimpleNamespace(id=2, value=900, valid_from=dt.date(2026, 9, 1),
                          valid_to=dt.date(2027, 8, 31))
    assert quotient_on([new, old], dt.date(2026, 10, 1)) is new
    assert quotient_on([new, old], dt.date(2026, 3, 1)) is old
    assert quotient_on([new, old], dt.date(2028, 1, 1)) is None
