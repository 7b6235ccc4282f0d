"""Online payment through the sandbox backend (eopayment dummy pointed at /sandbox): only a
verified server-side notification, for the invoice's reference and exact outstanding amount,
records a payment, and only once."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import (
    Invoice,
    InvoiceState,
    OutgoingMail,
    Payment,
    PaymentTransaction,
    TransactionState,
)
from app.services.payments.credits import credit_balance
from app.services.payments.sandbox import sign
from tests import factories as f

from . import builders as b

LOGGER = "app.payments"


@pytest.fixture
def bill(app, town):
    """Alice's September invoice: canteen 30,00 + care 20,50, a 10,00 cheque already paid."""
    with app.app_context():
        kid = town.alice_kids[0]
        inv = b.invoice(town.alice, [(kid, town.canteen, "30.00"), (kid, town.care, "20.50")])
        b.pay(town.alice, inv.id, "10.00", dt.date(2026, 10, 5))
        return inv.id


def _state(app, invoice_id):
    with app.app_context():
        inv = db.session.get(Invoice, invoice_id)
        payments = db.session.query(Payment).filter_by(invoice_id=invoice_id).all()
        txns = db.session.query(PaymentTransaction).filter_by(invoice_id=invoice_id).all()
        return inv.state, sorted((p.method, p.amount) for p in payments), [t.state for t in txns]


def _open(app, client, invoice_id):
    f.login(client, "alice")
    return b.sandbox_query(b.start(client, invoice_id))


def test_pay_sends_the_outstanding_amount_and_shows_payment_in_progress(app, client, bill):
    fields = _open(app, client, bill)
    assert fields["amount"] == "40.50"  # 50,50 less the cheque
    assert fields["orderid"] == _reference(app, bill)
    assert fields["return_url"].endswith(f"/famille/finances/factures/{bill}/retour")
    assert fields["direct_notification_url"].endswith("/paiement/notification")
    state, payments, txns = _state(app, bill)
    assert state == InvoiceState.payment_pending and txns == ["pending"]
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Paiement en cours" in page and "Payer 40,50" not in page
    back = client.get(f"/famille/finances/factures/{bill}/retour").get_data(as_text=True)
    assert "Nous attendons la confirmation de la banque" in back


def _reference(app, invoice_id):
    with app.app_context():
        return db.session.get(Invoice, invoice_id).number.replace("-", "")


def test_verified_notification_pays_the_invoice(app, client, bill):
    fields = _open(app, client, bill)
    response = b.notify(app, client, fields, "ok")
    assert response.status_code == 200 and response.get_data(as_text=True) == "OK"
    state, payments, txns = _state(app, bill)
    assert state == InvoiceState.paid
    assert payments == [("card", Decimal("40.50")), ("cheque", Decimal("10.00"))]
    assert txns == ["paid"]
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Payée" in page and "Vous êtes à jour de vos paiements" in page
    back = client.get(f"/famille/finances/factures/{bill}/retour").get_data(as_text=True)
    assert "Merci, votre paiement est enregistré." in back
    with app.app_context():
        mail = db.session.query(OutgoingMail).filter_by(kind="payment_received").one()
        assert "40,50 €" in mail.body_text


@pytest.mark.parametrize("outcome, txn_state, message", [
    ("refused", TransactionState.refused, "Paiement refusé."),
    ("cancelled", TransactionState.abandoned, "Paiement abandonné."),
])
def test_refused_or_abandoned_payment_leaves_the_invoice_payable(app, client, bill, outcome,
                                                                  txn_state, message):
    fields = _open(app, client, bill)
    assert b.notify(app, client, fields, outcome).status_code == 200
    state, payments, txns = _state(app, bill)
    assert state == InvoiceState.issued and txns == [txn_state]
    assert payments == [("cheque", Decimal("10.00"))]
    back = client.get(f"/famille/finances/factures/{bill}/retour").get_data(as_text=True)
    assert message in back and "Payer 40,50" in back
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "À payer" in page and "Payer 40,50" in page
    again = b.sandbox_query(b.start(client, bill))  # a new attempt opens at once
    assert again["transaction_id"] != fields["transaction_id"]


def test_forged_notifications_change_nothing_and_are_logged(app, client, bill, caplog):
    fields = _open(app, client, bill)
    genuine = b.notification(app, fields, "ok")
    unsigned = {k: v for k, v in genuine.items() if k not in ("sig",)}
    wrong_key = {**genuine, "sig": sign(genuine, b"not the sandbox's key")}
    tampered = {**genuine, "amount": "0.01"}  # changed after signing
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for forged in (unsigned, wrong_key, tampered, {"transaction_id": fields["transaction_id"],
                                                   "ok": "1", "signed": "1"}):
        response = client.post(b.NOTIFY_URL, data=forged)
        assert response.status_code == 403
    assert client.get(b.NOTIFY_URL, query_string=unsigned).status_code == 403
    assert _state(app, bill) == (InvoiceState.payment_pending, [("cheque", Decimal("10.00"))],
                                 ["pending"])
    assert sum("non vérifiée" in r.getMessage() for r in caplog.records) == 5


def test_duplicate_notification_adds_nothing(app, client, bill):
    fields = _open(app, client, bill)
    first = b.notify(app, client, fields, "ok")
    second = b.notify(app, client, fields, "ok")
    assert first.status_code == second.status_code == 200
    state, payments, _txns = _state(app, bill)
    assert state == InvoiceState.paid
    assert payments == [("card", Decimal("40.50")), ("cheque", Decimal("10.00"))]
    # A late "refused" after the payment changes nothing either.
    assert b.notify(app, client, fields, "refused").status_code == 200
    assert _state(app, bill)[2] == ["paid"]


def test_amount_or_reference_mismatch_changes_nothing_and_is_logged(app, client, bill, caplog):
    fields = _open(app, client, bill)
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # A payer who edited the amount in the sandbox's URL: the service signs what it took.
    assert b.notify(app, client, fields, "ok", amount="1.00").status_code == 400
    assert b.notify(app, client, fields, "ok", amount="40.51").status_code == 400
    assert b.notify(app, client, fields, "ok", orderid="FAC2026999999").status_code == 400
    assert _state(app, bill) == (InvoiceState.payment_pending, [("cheque", Decimal("10.00"))],
                                 ["pending"])
    assert sum("rejetée" in r.getMessage() for r in caplog.records) == 3
    # The genuine notification still counts afterwards.
    assert b.notify(app, client, fields, "ok").status_code == 200
    assert _state(app, bill)[0] == InvoiceState.paid


def test_amount_is_the_outstanding_amount_when_the_payment_started(app, client, bill):
    """A cheque recorded while the card payment runs does not change what the card pays:
    the bank confirms 40,50 €; 35,50 € settle the invoice, 5,00 € become the family's
    credit (avoir de trop-perçu), each euro counted once."""
    fields = _open(app, client, bill)
    with app.app_context():
        b.pay(_family_of(bill), bill, "5.00", dt.date(2026, 10, 20))
    assert b.notify(app, client, fields, "ok", amount="35.50").status_code == 400
    assert b.notify(app, client, fields, "ok").status_code == 200
    _state_, payments, _ = _state(app, bill)
    assert ("card", Decimal("35.50")) in payments
    with app.app_context():
        assert credit_balance(_family_of(bill)) == Decimal("5.00")


def _family_of(invoice_id):
    return db.session.get(Invoice, invoice_id).family_id


def test_unknown_or_unreadable_notification_is_rejected(app, client, bill):
    fields = _open(app, client, bill)
    assert b.notify(app, client, {**fields, "transaction_id": "0" * 32}).status_code == 400
    assert client.post(b.NOTIFY_URL, data={"ok": "1"}).status_code == 400
    assert _state(app, bill)[2] == ["pending"]


def test_another_familys_invoice_cannot_be_paid_or_seen(app, client, town):
    with app.app_context():
        bobs = b.invoice(town.bob, [(town.bob_kids[0], town.canteen, "12.00")]).id
    f.login(client, "alice")
    assert b.start(client, bobs).status_code == 404
    assert client.get(f"/famille/finances/factures/{bobs}/retour").status_code == 404
    assert client.get(f"/famille/finances/factures/{bobs}/pdf").status_code == 404
    with app.app_context():
        assert db.session.query(PaymentTransaction).count() == 0
        assert db.session.get(Invoice, bobs).state == InvoiceState.issued
    assert "FAC-" not in client.get("/famille/finances/").get_data(as_text=True)


def test_a_second_attempt_waits_until_the_first_expires(app, client, bill):
    first = _open(app, client, bill)
    refused = b.start(client, bill)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/famille/finances/")
    assert "déjà en cours" in client.get("/famille/finances/").get_data(as_text=True)
    with app.app_context():
        txn = db.session.query(PaymentTransaction).one()
        txn.created_at -= dt.timedelta(minutes=app.config["PAYMENT_PENDING_MINUTES"] + 1)
        db.session.commit()
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Payer 40,50" in page  # an unanswered attempt no longer blocks the invoice
    second = b.sandbox_query(b.start(client, bill))
    assert _state(app, bill)[2] == ["abandoned", "pending"]
    # The first attempt, paid late after all (the service took the money): it counts once.
    assert b.notify(app, client, first, "ok").status_code == 200
    assert _state(app, bill)[0] == InvoiceState.paid
    assert b.notify(app, client, second, "cancelled").status_code == 200
    assert _state(app, bill)[0] == InvoiceState.paid


def test_direct_debit_invoice_is_not_payable_online(app, client, town):
    with app.app_context():
        kid = town.alice_kids[0]
        inv = b.invoice(town.alice, [(kid, town.canteen, "25.00")], direct_debit=True).id
        b.mandate(town.alice)
    f.login(client, "alice")
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Prélèvement SEPA prévu" in page and "Payer 25,00" not in page
    response = b.start(client, inv)
    assert response.status_code == 302 and "/sandbox/" not in response.headers["Location"]
    assert "sera prélevée" in client.get("/famille/finances/").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(PaymentTransaction).count() == 0


def test_notification_needs_no_csrf_token(app, client, bill, monkeypatch):
    fields = _open(app, client, bill)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    anonymous = app.test_client()  # the service has no session either
    assert b.notify(app, anonymous, fields, "ok").status_code == 200
    assert _state(app, bill)[0] == InvoiceState.paid


def test_the_sandbox_only_notifies_the_apps_own_endpoint(app, client):
    """The sandbox never sends its server-side notification to an address taken from the
    request (no request to internal hosts through a forged Host or URL)."""
    fields = {"transaction_id": "T1", "amount": "10.00", "orderid": "X",
              "return_url": "http://localhost/paiement/retour",
              "direct_notification_url": "http://localhost/ailleurs", "decision": "pay"}
    response = client.post("/sandbox/pay", data=fields)
    assert response.status_code == 502
