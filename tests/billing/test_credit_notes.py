"""Credit notes: the only correction of an issued invoice (which never changes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import CreditNote, Invoice, InvoiceState, Payment
from app.services.billing.credit_notes import CreateCreditNote, CreditNoteError
from app.services.billing.run import bill_month
from app.services.money import InvoiceBalance

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def create_credit_note(*args, **kwargs):
    return CreateCreditNote(*args, **kwargs).run()


@pytest.fixture
def invoice(app_ctx) -> Invoice:
    t = town()
    fam = family("Avoir", t)
    set_qf(fam, 800)
    book(fam, fam.children[0], t.canteen, DAYS)  # 17 × 4,15 = 70,55
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    return invoice


def _snapshot(invoice: Invoice) -> tuple:
    db.session.refresh(invoice)
    return (invoice.number, invoice.total, invoice.issued_on, invoice.due_on,
            sorted((line.label, line.quantity, line.unit_price, line.amount)
                   for line in invoice.lines))


def test_a_credit_note_lowers_the_amount_due_and_leaves_the_invoice_unchanged(invoice):
    before = _snapshot(invoice)
    note = create_credit_note(invoice.id, "8,30", "Repas du 28/09 facturé à tort",
                              issued_on=dt.date(2026, 10, 12))
    assert note.number == "AV-2026-000001"
    assert (note.amount, note.family_id, note.issued_on) == (
        Decimal("8.30"), invoice.family_id, dt.date(2026, 10, 12))
    assert _snapshot(invoice) == before
    assert InvoiceBalance.of(invoice).due == Decimal("62.25")
    assert invoice.state == InvoiceState.issued


def test_credit_notes_are_numbered_without_gaps_even_after_a_refusal(invoice):
    create_credit_note(invoice.id, "10", "Erreur de pointage")
    with pytest.raises(CreditNoteError):
        create_credit_note(invoice.id, "100,00", "Trop")  # more than what is left
    with pytest.raises(CreditNoteError):
        create_credit_note(invoice.id, "5", "   ")  # no reason
    create_credit_note(invoice.id, Decimal("0.55"), "Arrondi")
    numbers = [n for (n,) in db.session.query(CreditNote.number).order_by(CreditNote.id)]
    assert numbers == ["AV-2026-000001", "AV-2026-000002"]


def test_credit_notes_never_exceed_the_invoice_total(invoice):
    create_credit_note(invoice.id, "70,00", "Sortie scolaire")
    with pytest.raises(CreditNoteError, match="0,55"):
        create_credit_note(invoice.id, "0,56", "Un centime de trop")
    for amount in ("0", "-3", "abc", "1,234"):
        with pytest.raises(CreditNoteError):
            create_credit_note(invoice.id, amount, "Montant invalide")
    assert db.session.query(CreditNote).count() == 1


def test_a_fully_credited_invoice_is_cancelled_by_credit_note(invoice):
    create_credit_note(invoice.id, "50", "Première partie")
    create_credit_note(invoice.id, "20,55", "Solde")
    db.session.refresh(invoice)
    assert invoice.state == InvoiceState.cancelled
    assert InvoiceState(invoice.state).label == "Annulée par avoir"
    assert InvoiceBalance.of(invoice).due == Decimal("0.00")
    assert invoice.total == Decimal("70.55")


def test_a_credit_note_completing_payments_settles_the_invoice(invoice):
    db.session.add(Payment(family_id=invoice.family_id, invoice=invoice,
                           amount=Decimal("60.00"), method="cheque",
                           received_on=dt.date(2026, 10, 5)))
    db.session.commit()
    create_credit_note(invoice.id, "10,55", "Remise")
    db.session.refresh(invoice)
    assert invoice.state == InvoiceState.paid
    assert InvoiceBalance.of(invoice).due == Decimal("0.00")
