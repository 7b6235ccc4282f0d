"""Payments recorded by staff (cheque, cash, CESU for childcare only, transfer), partial
payments, the family balance, and the unpaid list with its reminder mails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import CreditNote, Invoice, InvoiceState, OutgoingMail, Payment, PaymentReminder
from app.security.roles import AGENT, MANAGER
from app.services.calendar import local_today
from app.services.payments.balance import family_balance
from tests import factories as f

from . import builders as b

TODAY = local_today().isoformat()


@pytest.fixture
def staff(app):
    with app.app_context():
        f.user("agent1", AGENT)
        f.user("manager1", MANAGER)


@pytest.fixture
def mixed(app, town):
    """Alice's invoice: canteen 30,00 + care 20,50 = 50,50; and a canteen-only one, 12,00."""
    with app.app_context():
        kid = town.alice_kids[0]
        mixed = b.invoice(town.alice, [(kid, town.canteen, "30.00"), (kid, town.care, "20.50")])
        meals = b.invoice(town.alice, [(kid, town.canteen, "12.00")], period=dt.date(2026, 10, 1))
        return {"family": town.alice, "mixed": mixed.id, "meals": meals.id}


def _record(client, family_id, invoice_id, amount, method="cheque", **extra):
    data = {"invoice": str(invoice_id), "amount": amount, "method": method,
            "received_on": TODAY, "reference": "CHQ 1234567", **extra}
    return client.post(f"/gestion/comptes-familles/{family_id}/reglement", data=data,
                       follow_redirects=True)


def _payments(app, invoice_id):
    with app.app_context():
        return sorted((p.method, p.amount) for p in
                      db.session.query(Payment).filter_by(invoice_id=invoice_id))


def _invoice_state(app, invoice_id):
    with app.app_context():
        return db.session.get(Invoice, invoice_id).state


def test_agent_records_partial_payments_until_the_invoice_is_paid(app, client, staff, mixed):
    f.login(client, "agent1")
    page = _record(client, mixed["family"], mixed["mixed"], "20,00")
    assert "Règlement de 20,00" in page.get_data(as_text=True)
    assert _invoice_state(app, mixed["mixed"]) == InvoiceState.issued
    page = _record(client, mixed["family"], mixed["mixed"], "30.50", method="cash").get_data(
        as_text=True)
    assert _invoice_state(app, mixed["mixed"]) == InvoiceState.paid
    assert _payments(app, mixed["mixed"]) == [("cash", Decimal("30.50")),
                                              ("cheque", Decimal("20.00"))]
    assert "la famille doit 12,00" in page  # the canteen-only invoice is still due
    with app.app_context():
        assert db.session.query(Payment).filter_by(method="cash").one().recorded_by_id


def test_more_than_what_is_left_is_refused(app, client, staff, mixed):
    f.login(client, "agent1")
    _record(client, mixed["family"], mixed["mixed"], "50")
    response = _record(client, mixed["family"], mixed["mixed"], "0.51")
    assert response.status_code == 400
    assert "dépasse le reste à payer" in response.get_data(as_text=True)
    assert _payments(app, mixed["mixed"]) == [("cheque", Decimal("50.00"))]


def test_cesu_pays_childcare_only(app, client, staff, mixed):
    f.login(client, "agent1")
    meals = _record(client, mixed["family"], mixed["meals"], "5", method="cesu")
    assert meals.status_code == 400
    assert "les repas ne se paient pas en CESU" in meals.get_data(as_text=True)
    too_much = _record(client, mixed["family"], mixed["mixed"], "20.51", method="cesu")
    assert too_much.status_code == 400 and "20,50 € au plus" in too_much.get_data(as_text=True)
    family, invoice = mixed["family"], mixed["mixed"]
    assert _record(client, family, invoice, "15", method="cesu").status_code == 200
    assert _record(client, family, invoice, "5.51", method="cesu").status_code == 400  # 5,50 left
    assert _record(client, family, invoice, "5.50", method="cesu").status_code == 200
    assert _record(client, family, invoice, "30", method="transfer").status_code == 200
    assert _payments(app, mixed["meals"]) == []
    assert _invoice_state(app, mixed["mixed"]) == InvoiceState.paid


def test_card_direct_debit_and_future_dates_are_not_typed_in(app, client, staff, mixed):
    f.login(client, "agent1")
    for method in ("card", "direct_debit"):
        assert _record(client, mixed["family"], mixed["mixed"], "5",
                       method=method).status_code == 400
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    future = _record(client, mixed["family"], mixed["mixed"], "5", received_on=tomorrow)
    assert "futur" in future.get_data(as_text=True)
    assert _payments(app, mixed["mixed"]) == []


def test_another_familys_invoice_is_refused(app, client, staff, town, mixed):
    f.login(client, "agent1")
    response = _record(client, town.bob, mixed["mixed"], "5")
    assert "pas celle de cette famille" in response.get_data(as_text=True)
    assert _payments(app, mixed["mixed"]) == []


def test_parents_cannot_record_payments(app, client, mixed):
    f.login(client, "alice")
    assert _record(client, mixed["family"], mixed["mixed"], "5").status_code == 403
    assert client.get(f"/gestion/comptes-familles/{mixed['family']}").status_code == 403


def test_fab_payment_form_follows_the_same_rules(app, client, staff, mixed):
    f.login(client, "agent1")
    form = {"family": str(mixed["family"]), "invoice": str(mixed["meals"]), "amount": "12,00",
            "method": "cesu", "received_on": TODAY, "reference": "CESU"}
    refused = client.post("/gestion/reglements/add", data=form, follow_redirects=True)
    assert "les repas ne se paient pas en CESU" in refused.get_data(as_text=True)
    assert _payments(app, mixed["meals"]) == []
    client.post("/gestion/reglements/add", data={**form, "method": "cheque"})
    assert _invoice_state(app, mixed["meals"]) == InvoiceState.paid


def test_balance_per_family_account(app, client, staff, mixed, town):
    with app.app_context():
        b.pay(town.alice, mixed["mixed"], "20.00", dt.date(2026, 10, 2))
        db.session.add(CreditNote(number="AV-2026-000001", invoice_id=mixed["meals"],
                                  family_id=town.alice, issued_on=dt.date(2026, 10, 3),
                                  amount=Decimal("2.00"), reason="Absence excusée"))
        db.session.commit()
        balance = family_balance(town.alice)
        assert (balance.invoiced, balance.credited, balance.paid) == (
            Decimal("62.50"), Decimal("2.00"), Decimal("20.00"))
        assert balance.due == Decimal("40.50")
        assert family_balance(town.bob).due == Decimal("0.00")
    f.login(client, "agent1")
    listing = client.get("/gestion/comptes-familles/?q=Alice").get_data(as_text=True)
    assert "doit 40,50" in listing and "Famille Bob" not in listing
    client.get("/logout/")
    f.login(client, "alice")
    assert "Reste à payer : 40,50" in client.get("/famille/finances/").get_data(as_text=True)


def test_unpaid_list_and_reminder_mails(app, client, staff, town):
    overdue = local_today() - dt.timedelta(days=3)
    with app.app_context():
        a_kid, b_kid = town.alice_kids[0], town.bob_kids[0]
        first = b.invoice(town.alice, [(a_kid, town.canteen, "10.00")], due_on=overdue).id
        second = b.invoice(town.alice, [(a_kid, town.care, "7.00")], due_on=overdue,
                           period=dt.date(2026, 10, 1)).id
        paid = b.invoice(town.bob, [(b_kid, town.canteen, "9.00")], due_on=overdue).id
        b.pay(town.bob, paid, "9.00", overdue)
        db.session.get(Invoice, paid).state = InvoiceState.paid
        not_due = b.invoice(town.bob, [(b_kid, town.canteen, "8.00")],
                            due_on=local_today() + dt.timedelta(days=10),
                            period=dt.date(2026, 10, 1)).id
        db.session.commit()
        numbers = {i: db.session.get(Invoice, i).number for i in (first, second, paid, not_due)}
    f.login(client, "agent1")
    assert client.get("/gestion/impayes/").status_code == 403  # managers only
    client.get("/logout/")
    f.login(client, "manager1")
    page = client.get("/gestion/impayes/").get_data(as_text=True)
    assert numbers[first] in page and numbers[second] in page
    assert numbers[paid] not in page and numbers[not_due] not in page
    response = client.post("/gestion/impayes/relancer",
                           data={"invoice": [str(first), str(second)]}, follow_redirects=True)
    assert "Relance lancée pour 2 facture(s)" in response.get_data(as_text=True)
    with app.app_context():
        mail = db.session.query(OutgoingMail).filter_by(kind="payment_reminder").one()
        assert mail.recipient == "alice@example.org" and mail.family_id == town.alice
        assert numbers[first] in mail.body_text and numbers[second] in mail.body_text
        assert "Total à régler : 17,00" in mail.body_text
        assert db.session.query(PaymentReminder).count() == 2
    assert "jamais" not in client.get("/gestion/impayes/").get_data(as_text=True)
