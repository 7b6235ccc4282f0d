"""Every euro once: no staff payment while an online payment waits without an audited
override; money beyond what is owed becomes a visible credit, allocated to the next invoice
or refunded; the family's balance, invoice states and pages agree."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import (
    AuditLog,
    CreditKind,
    FamilyCredit,
    Invoice,
    InvoiceState,
    Payment,
    PaymentMethod,
)
from app.security.roles import MANAGER
from app.services.errors import CommandError
from app.services.payments.balance import family_balance
from app.services.payments.credits import RefundCredit, allocate_credits, credit_balance
from tests import factories as f
from tests.payments import builders as b


@pytest.fixture
def town(app):
    with app.app_context():
        t = b.town()
        f.user("gest", MANAGER)
        return t


def _abandoned_online_payment(app, client, town) -> tuple[int, dict]:
    """Alice starts paying 155,90 € online and leaves the payment page."""
    with app.app_context():
        invoice_id = b.invoice(town.alice, [(town.alice_kids[0], town.care, "155.90")]).id
    f.login(client, "alice")
    fields = b.sandbox_query(b.start(client, invoice_id))
    client.get("/logout/")
    return invoice_id, fields


def _cheque(client, family_id, invoice_id, override: str = ""):
    return client.post(f"/gestion/comptes-familles/{family_id}/reglement", data={
        "invoice": str(invoice_id), "amount": "155,90", "method": "cheque",
        "received_on": "2026-11-26", "reference": "Chèque 1234567", "override_reason": override})


def test_no_cheque_while_an_online_payment_waits_and_the_late_confirmation_counts_once(
        app, client, town):
    invoice_id, fields = _abandoned_online_payment(app, client, town)
    f.login(client, "gest")
    page = html.unescape(client.get(f"/gestion/comptes-familles/{town.alice}")
                         .get_data(as_text=True))
    assert "Paiement en ligne en cours" in page and "155,90" in page
    refused = _cheque(client, town.alice, invoice_id)
    assert refused.status_code == 400
    text = html.unescape(refused.get_data(as_text=True))
    assert "attend la confirmation de la banque" in text and "ferait payer deux fois" in text
    assert b.notify(app, app.test_client(), fields, "ok").status_code == 200
    with app.app_context():
        payments = db.session.query(Payment).filter_by(invoice_id=invoice_id).all()
        assert [(p.method, p.amount) for p in payments] == [("card", Decimal("155.90"))]
        assert db.session.get(Invoice, invoice_id).state == InvoiceState.paid
        assert credit_balance(town.alice) == Decimal("0.00")
        assert family_balance(town.alice).due == Decimal("0.00")


def test_an_override_is_audited_and_the_late_confirmation_becomes_a_credit_then_allocated(
        app, client, town):
    invoice_id, fields = _abandoned_online_payment(app, client, town)
    f.login(client, "gest")
    assert _cheque(client, town.alice, invoice_id, "La famille a payé au guichet").status_code \
        == 302
    with app.app_context():
        cheque = db.session.query(Payment).filter_by(method=PaymentMethod.cheque).one()
        assert "La famille a payé au guichet" in cheque.override_reason
        assert "155,90" in cheque.override_reason  # it names the pending payment
        audit = db.session.query(AuditLog).filter(AuditLog.table_name == "payment").all()
        assert any("La famille a payé au guichet" in (row.changes or "") for row in audit)
    assert b.notify(app, app.test_client(), fields, "ok").status_code == 200
    with app.app_context():
        assert db.session.query(Payment).filter_by(invoice_id=invoice_id).count() == 1
        [credit] = db.session.query(FamilyCredit).all()
        assert (credit.kind, credit.amount) == (CreditKind.overpayment, Decimal("155.90"))
        assert credit_balance(town.alice) == Decimal("155.90")
        assert family_balance(town.alice).due == Decimal("-155.90")
    client.get("/logout/")
    f.login(client, "alice")
    finances = html.unescape(client.get("/famille/finances/").get_data(as_text=True))
    assert "Avoir de trop-perçu : 155,90" in finances
    with app.app_context():
        nxt = b.invoice(town.alice, [(town.alice_kids[0], town.care, "40.00")],
                        period=dt.date(2026, 10, 1))
        allocate_credits([nxt], dt.date(2026, 11, 1))
        db.session.commit()
        assert db.session.get(Invoice, nxt.id).state == InvoiceState.paid
        assert credit_balance(town.alice) == Decimal("115.90")
        assert family_balance(town.alice).due == Decimal("-115.90")


def test_a_credit_is_refunded_through_a_recorded_transfer(app, town):
    with app.app_context():
        inv = b.invoice(town.alice, [(town.alice_kids[0], town.care, "20.00")])
        db.session.add(FamilyCredit(family_id=town.alice, kind=CreditKind.overpayment,
                                    amount=Decimal("20.00"), invoice_id=inv.id,
                                    on_date=dt.date(2026, 11, 2)))
        db.session.commit()
        with pytest.raises(CommandError) as refused:
            RefundCredit(town.alice, "25,00", "", "FR76 1234", None, "2026-11-20", None).run()
        messages = " ".join(refused.value.messages)
        assert "dépasse l'avoir disponible" in messages and "titulaire" in messages
        assert "IBAN invalide" in messages
        RefundCredit(town.alice, "20,00", "Alice Test", "FR7630006000011234567890189",
                     "VIR-2026-11", "2026-11-20", None).run()
        assert credit_balance(town.alice) == Decimal("0.00")
        refund = db.session.query(FamilyCredit).filter_by(kind=CreditKind.refund).one()
        assert refund.refund_iban == "FR7630006000011234567890189"
