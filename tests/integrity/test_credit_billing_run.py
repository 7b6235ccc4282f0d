"""A family's credit (avoir de trop-perçu) is consumed by the next real billing run: the
new invoice is paid by the credit up to what it owes, and the rest of the credit stays."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import CreditKind, FamilyCredit, Invoice, InvoiceState, Payment
from app.services.billing.run import bill_month
from app.services.payments.balance import family_balance
from app.services.payments.credits import credit_balance
from tests.billing.builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def _credit(fam, amount: str) -> None:
    db.session.add(FamilyCredit(family_id=fam.id, kind=CreditKind.overpayment,
                                amount=Decimal(amount), on_date=SEPTEMBER))
    db.session.commit()


def test_the_billing_run_pays_the_new_invoice_from_the_credit(app_ctx):
    t = town()
    durand, martin = family("Durand", t), family("Martin", t)
    for fam in (durand, martin):
        set_qf(fam, 800)
        book(fam, fam.children[0], t.canteen, DAYS[:4])  # 4 × 4,15 € = 16,60 €
    _credit(durand, "20.00")  # more than the invoice
    _credit(martin, "10.00")  # less than the invoice
    bill_month(SEPTEMBER, ISSUED)

    by_family = {inv.family_id: inv for inv in db.session.query(Invoice)}
    paid, partly = by_family[durand.id], by_family[martin.id]
    assert paid.total == partly.total == Decimal("16.60")
    assert paid.state == InvoiceState.paid
    assert partly.state != InvoiceState.paid
    assert credit_balance(durand.id) == Decimal("3.40")
    assert credit_balance(martin.id) == Decimal("0.00")
    assert family_balance(martin.id).due == Decimal("6.60")
    allocations = db.session.query(FamilyCredit).filter_by(kind=CreditKind.allocation).all()
    assert sorted((a.invoice_id, a.amount) for a in allocations) == sorted(
        [(paid.id, Decimal("16.60")), (partly.id, Decimal("10.00"))])
    # Each allocation is a recorded payment of the invoice, counted once.
    assert db.session.query(Payment).filter_by(invoice_id=paid.id).count() == 1
