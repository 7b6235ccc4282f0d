"""The unpaid threshold, the reconciliation page, SEPA on the 24-hour portal clock, and
reminders to every guardian (or the billing contact) dated by the portal's clock."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import (
    CreditKind,
    Family,
    FamilyCredit,
    Guardian,
    OutgoingMail,
    PaymentReminder,
    PaymentTransaction,
)
from app.security.roles import MANAGER
from app.services.errors import CommandError
from app.services.payments.reminders import send_reminders
from app.services.payments.sepa import message_id, pain008
from app.services.reservations.day import ChangeDay
from tests import factories as f
from tests.payments import builders as b
from tests.reservations.builders import MONDAY, NOW, town

OVERDUE = dt.date(2026, 10, 31)


def _unpaid_town(app, amount: str = "80.00"):
    school, canteen, (fam, other) = town(families=2)
    kid = fam.children[0]
    b.invoice(fam.id, [(kid.id, canteen.id, amount)], due_on=OVERDUE)
    return canteen, fam, other


def test_the_unpaid_threshold_blocks_new_bookings_and_says_whom_to_call(app_ctx, app,
                                                                         monkeypatch):
    canteen, fam, other = _unpaid_town(app)
    kid = fam.children[0]
    book = ChangeDay(fam.id, kid.id, canteen.id, MONDAY, "book", now=NOW)
    assert book.run().state == "booked"  # off by default
    ChangeDay(fam.id, kid.id, canteen.id, MONDAY, "cancel", now=NOW).run()
    monkeypatch.setitem(app.config, "PORTAL_UNPAID_BLOCK_AMOUNT", "50")
    with pytest.raises(CommandError) as refused:
        ChangeDay(fam.id, kid.id, canteen.id, MONDAY, "book", now=NOW).run()
    message = refused.value.messages[0]
    assert "Nouvelles réservations suspendues : 80,00" in message
    assert app.config["PORTAL_BILLING_PHONE"] in message
    # The other family (nothing unpaid) books; an exempted family books too.
    other_kid = other.children[0]
    assert ChangeDay(other.id, other_kid.id, canteen.id, MONDAY, "book",
                     now=NOW).run().state == "booked"
    db.session.get(Family, fam.id).unpaid_block_exempt = True
    db.session.commit()
    assert ChangeDay(fam.id, kid.id, canteen.id, MONDAY, "book", now=NOW).run().state == "booked"


def test_the_parent_planning_says_why_bookings_are_suspended(app, client, monkeypatch):
    with app.test_request_context():
        _unpaid_town(app)
    monkeypatch.setitem(app.config, "PORTAL_UNPAID_BLOCK_AMOUNT", "50")
    f.login(client, "parent0")
    page = html.unescape(client.get("/famille/planning/2026-11").get_data(as_text=True))
    assert "Nouvelles réservations suspendues" in page and "service facturation" in page


def test_the_reconciliation_page_lists_the_transactions_that_disagree(app, client):
    with app.test_request_context():
        t = b.town()
        f.user("gest", MANAGER)
        inv = b.invoice(t.alice, [(t.alice_kids[0], t.care, "30.00")])
        old = PaymentTransaction(invoice_id=inv.id, family_id=t.alice, backend="dummy",
                                 reference="R1", transaction_id="T-OLD", amount=Decimal("30"),
                                 state="pending", created_at=dt.datetime(2026, 11, 2, 9, 0))
        late = PaymentTransaction(invoice_id=inv.id, family_id=t.alice, backend="dummy",
                                  reference="R2", transaction_id="T-LATE",
                                  amount=Decimal("30"), state="paid",
                                  created_at=dt.datetime(2026, 11, 3, 9, 0))
        db.session.add_all([old, late])
        db.session.add(FamilyCredit(family_id=t.alice, kind=CreditKind.overpayment,
                                    amount=Decimal("30"), invoice_id=inv.id,
                                    on_date=dt.date(2026, 11, 3),
                                    comment="Paiement en ligne T-LATE"))
        db.session.commit()
    f.login(client, "gest")
    page = " ".join(html.unescape(client.get("/gestion/rapprochement/")
                                  .get_data(as_text=True)).split())
    assert "sans confirmation de la banque depuis le 02/11/2026" in page
    assert "30,00 € en avoir de trop-perçu" in page


def test_sepa_message_ids_and_creation_time_use_the_24_hour_portal_clock(app_ctx, app,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-01T14:30:05")
    assert message_id(dt.datetime(2026, 12, 1, 14, 30, 5)).startswith("20261201143005-")
    t = b.town()
    b.mandate(t.alice)
    inv = b.invoice(t.alice, [(t.alice_kids[0], t.care, "12.00")], direct_debit=True)
    from app.services.payments.sepa import due_debits

    msg_id, xml = pain008(due_debits(inv.period_start, dt.date(2026, 12, 10)),
                          dt.date(2026, 12, 10))
    assert msg_id.startswith("20261201143005-") and len(msg_id) <= 35
    assert b"<CreDtTm>2026-12-01T14:30:05</CreDtTm>" in xml


def test_reminders_go_to_every_guardian_or_the_billing_contact_on_the_portal_clock(
        app, client, monkeypatch):
    # 00:30 in Paris on 1 December is still 30 November in UTC.
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-01T00:30:00")
    with app.test_request_context():
        t = b.town()
        f.user("manager1", MANAGER)
        family = b.family(t.alice)
        db.session.add(Guardian(family=family, first_name="Paul", last_name="Test",
                                email="paul@example.org"))
        db.session.commit()
        first = b.invoice(t.alice, [(t.alice_kids[0], t.care, "10.00")], due_on=OVERDUE).id
        bob_invoice = b.invoice(t.bob, [(t.bob_kids[0], t.care, "5.00")], due_on=OVERDUE).id
        bob = b.family(t.bob)
        payer = Guardian(family=bob, first_name="Payeur", last_name="Bob",
                         email="payeur@example.org")
        db.session.add(payer)
        db.session.flush()
        bob.billing_guardian_id = payer.id
        db.session.commit()
        assert send_reminders([first, bob_invoice]) == 2
        recipients = sorted(m.recipient for m in db.session.query(OutgoingMail).filter_by(
            kind="payment_reminder"))
        assert recipients == ["alice@example.org", "paul@example.org", "payeur@example.org"]
        sent = db.session.query(PaymentReminder).filter_by(invoice_id=first).one().sent_at
        assert sent == dt.datetime(2026, 11, 30, 23, 30)
    f.login(client, "manager1")
    page = client.get("/gestion/impayes/").get_data(as_text=True)
    assert "01/12/2026" in page
