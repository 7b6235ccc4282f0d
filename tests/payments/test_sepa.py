"""SEPA direct debit: mandates checked with schwifty; the month's pain.008 batch is valid
against the official XSD (checked here with xmlschema, independently of sepaxml), debits
each announced invoice once, and turns a first mandate (FRST) recurring (RCUR)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import sepaxml
import xmlschema

from app.extensions import db
from app.models import (
    Invoice,
    InvoiceState,
    Payment,
    SepaBatch,
    SepaBatchLine,
    SepaMandate,
)
from app.security.roles import AGENT, MANAGER
from app.services.calendar import local_today
from app.services.payments.sepa import CreateSepaBatch, SepaError, check_mandate
from tests import factories as f

from . import builders as b

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
COLLECTION = local_today() + dt.timedelta(days=3)


def create_batch(*args, **kwargs):
    return CreateSepaBatch(*args, **kwargs).run()


def _text(root, path: str) -> str:
    return root.findtext(f"p:CstmrDrctDbtInitn/p:{path}", namespaces=NS)


def _mandate(**values) -> SepaMandate:
    base = {"rum": "RUM-ALICE-1", "holder_name": "Mme Test", "iban": "fr76 3000 6000 0112 3456 "
            "7890 189", "bic": "agrifrpp", "signed_on": dt.date(2026, 1, 5),
            "sequence_type": "FRST"}
    return SepaMandate(**{**base, **values})


def test_mandate_iban_and_bic_are_checked_and_normalised(app_ctx):
    mandate = _mandate()
    check_mandate(mandate)
    assert (mandate.iban, mandate.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    for wrong in ({"iban": "FR7630006000011234567890188"},  # check digits
                  {"iban": "FR76300060000112345678901"},  # length
                  {"bic": "AGRI"}, {"rum": "RUM#1"}, {"sequence_type": "OOFF"},
                  {"signed_on": local_today() + dt.timedelta(days=1)}):
        with pytest.raises(SepaError):
            check_mandate(_mandate(**wrong))


@pytest.fixture
def debits(app, town):
    """Alice: mandate (FRST), September invoice announced as debited (50,50, of which 10,00
    paid by cheque). Bob: an invoice not debited. Carol: debited invoice, revoked mandate."""
    with app.app_context():
        a_kid, b_kid = town.alice_kids[0], town.bob_kids[0]
        b.mandate(town.alice, rum="RUM-ALICE-1")
        alice = b.invoice(town.alice, [(a_kid, town.canteen, "30.00"), (a_kid, town.care, "20.50")],
                          direct_debit=True)
        b.pay(town.alice, alice.id, "10.00", dt.date(2026, 10, 5))
        october = b.invoice(town.alice, [(a_kid, town.care, "8.00")], period=OCTOBER,
                            direct_debit=True)
        bob = b.invoice(town.bob, [(b_kid, town.canteen, "12.00")])
        carol = f.family("Carol", b.child(a_kid).school, children=1)
        b.mandate(carol.id, rum="RUM-CAROL-1")
        db.session.query(SepaMandate).filter_by(rum="RUM-CAROL-1").one().active = False
        carols = b.invoice(carol.id, [(carol.children[0].id, town.canteen, "5.00")],
                           direct_debit=True)
        return {"alice": alice.id, "october": october.id, "bob": bob.id, "carol": carols.id}


def test_batch_is_schema_valid_and_debits_each_announced_invoice_once(app_ctx, debits):
    batch = create_batch(SEPTEMBER, COLLECTION, user_id=None)
    xmlschema.XMLSchema(str(XSD)).validate(batch.xml)  # raises when not valid
    root = ElementTree.fromstring(batch.xml.encode())
    assert _text(root, "GrpHdr/p:NbOfTxs") == "1"
    assert Decimal(_text(root, "GrpHdr/p:CtrlSum")) == Decimal("40.50")
    assert _text(root, "PmtInf/p:PmtTpInf/p:SeqTp") == "FRST"
    assert _text(root, "PmtInf/p:ReqdColltnDt") == COLLECTION.isoformat()
    assert _text(root, "PmtInf/p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id") == "FR72ZZZ123456"
    alice = db.session.get(Invoice, debits["alice"])
    debit = "PmtInf/p:DrctDbtTxInf/p:"
    assert _text(root, debit + "PmtId/p:EndToEndId") == alice.number.replace("-", "")
    assert Decimal(_text(root, debit + "InstdAmt")) == Decimal("40.50")
    assert _text(root, debit + "DrctDbtTx/p:MndtRltdInf/p:MndtId") == "RUM-ALICE-1"
    assert _text(root, debit + "DbtrAcct/p:Id/p:IBAN") == "FR7630006000011234567890189"
    # Recorded: the debit as a payment, the invoice paid, the mandate now recurring.
    db.session.expire_all()
    assert alice.state == InvoiceState.paid
    assert sorted((p.method, p.amount) for p in alice.payments) == [
        ("cheque", Decimal("10.00")), ("direct_debit", Decimal("40.50"))]
    assert db.session.query(SepaMandate).filter_by(rum="RUM-ALICE-1").one().sequence_type == "RCUR"
    for other in ("october", "bob", "carol"):
        assert db.session.get(Invoice, debits[other]).state == InvoiceState.issued
    with pytest.raises(SepaError):  # nothing left to debit for September
        create_batch(SEPTEMBER, COLLECTION + dt.timedelta(days=1))
    assert db.session.query(SepaBatchLine).count() == 1


def test_next_batch_is_recurring(app_ctx, debits):
    create_batch(SEPTEMBER, COLLECTION)
    october = create_batch(OCTOBER, COLLECTION)
    root = ElementTree.fromstring(october.xml.encode())
    assert _text(root, "PmtInf/p:PmtTpInf/p:SeqTp") == "RCUR"
    assert (october.count, october.total) == (1, Decimal("8.00"))


def test_debited_invoices_are_not_reminded_nor_payable_online(app, client, debits):
    f.login(client, "alice")
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Prélèvement SEPA prévu" in page and "Payer 40,50" not in page


def test_manager_creates_and_downloads_the_file(app, client, debits):
    with app.app_context():
        f.user("agent1", AGENT)
        f.user("manager1", MANAGER)
    f.login(client, "agent1")
    assert client.get("/gestion/prelevements/").status_code == 403
    client.get("/logout/")
    f.login(client, "manager1")
    app.config["PORTAL_JOBS_INLINE"] = True  # the job ends before the page answers
    try:
        response = client.post("/gestion/prelevements/creer", data={
            "month": "2026-09", "date": COLLECTION.isoformat()}, follow_redirects=True)
    finally:
        app.config["PORTAL_JOBS_INLINE"] = False
    assert "1 prélèvement(s), total 40,50" in response.get_data(as_text=True)
    with app.app_context():
        batch = db.session.query(SepaBatch).one()
        assert db.session.query(Payment).filter_by(method="direct_debit").count() == 1
    download = client.get(f"/gestion/prelevements/{batch.id}/xml")
    assert download.mimetype == "application/xml"
    xmlschema.XMLSchema(str(XSD)).validate(download.get_data(as_text=True))


def test_a_rejected_debit_makes_the_invoice_payable_again(app, client, debits):
    """The bank rejects the debit: staff delete its payment; the invoice is due again,
    payable online, and never debited a second time by a later batch."""
    with app.app_context():
        create_batch(SEPTEMBER, COLLECTION)
        payment_id = db.session.query(Payment).filter_by(method="direct_debit").one().id
        f.user("manager1", MANAGER)
    f.login(client, "manager1")
    assert client.post(f"/gestion/reglements/delete/{payment_id}").status_code == 302
    with app.app_context():
        assert db.session.get(Payment, payment_id) is None
        assert db.session.get(Invoice, debits["alice"]).state == InvoiceState.issued
        assert db.session.query(SepaBatchLine).one().payment_id is None
        with pytest.raises(SepaError):
            create_batch(SEPTEMBER, COLLECTION + dt.timedelta(days=1))
    client.get("/logout/")
    f.login(client, "alice")
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert "Payer 40,50" in page
