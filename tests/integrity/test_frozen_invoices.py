"""Issued invoices never change: the PDF comes from the snapshot written at issue, whatever
happens afterwards to the family's address, its guardians, the tariffs or the letterhead;
credit notes are frozen too and reference their invoice."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Guardian, TariffBracket
from app.services.billing.credit_notes import CreateCreditNote
from app.services.billing.pdf import invoice_pdf
from app.services.billing.run import bill_month
from tests.billing.builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town


def create_credit_note(*args, **kwargs):
    return CreateCreditNote(*args, **kwargs).run()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"page \d+ / \d+", "", text)


@pytest.fixture
def issued(app_ctx):
    t = town()
    fam = family("Lefort", t)
    fam.address, fam.postal_code, fam.city = "12 rue des Écoles", "35430", "Saint-Père"
    mother = Guardian(family=fam, first_name="Claire", last_name="Lefort")
    father = Guardian(family=fam, first_name="Marc", last_name="Lefort")
    db.session.add_all([mother, father])
    db.session.flush()
    fam.billing_guardian_id = father.id  # the family's billing contact
    set_qf(fam, 800)
    book(fam, fam.children[0], t.canteen, school_days(SEPTEMBER))
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    return t, fam, invoice


def test_the_invoice_names_the_billing_contact_at_the_address_of_the_day(issued):
    t, fam, invoice = issued
    text = _text(invoice_pdf(invoice))
    assert "Marc Lefort" in text and "Famille Lefort" in text
    assert "12 rue des Écoles" in text and "35430 Saint-Père" in text
    frozen = json.loads(invoice.snapshot)
    assert frozen["debtor"]["name"] == "Marc Lefort"
    assert frozen["lines"][0]["unit_price"] == "4.15" and frozen["total"] == "70.55"


def test_moving_a_tariff_change_or_a_new_letterhead_leave_the_pdf_unchanged(issued, app,
                                                                             monkeypatch):
    t, fam, invoice = issued
    before = _text(invoice_pdf(invoice))
    fam.address, fam.postal_code, fam.city = "3 allée des Tilleuls", "35000", "Rennes"
    fam.billing_guardian_id = None
    db.session.query(Guardian).filter_by(first_name="Marc").one().last_name = "Durand"
    for bracket in db.session.query(TariffBracket):
        bracket.unit_price = Decimal("9.99")
    invoice.lines[0].label = "modifié"  # even a row edited behind the portal's back
    db.session.commit()
    monkeypatch.setitem(app.config, "PORTAL_TOWN_NAME", "Ville Nouvelle")
    monkeypatch.setitem(app.config, "PORTAL_TOWN_ADDRESS", "1 place Neuve|99999 Ailleurs")
    after = _text(invoice_pdf(db.session.get(type(invoice), invoice.id)))
    assert after == before
    assert "Rennes" not in after and "Ville Nouvelle" not in after and "9,99" not in after


def test_a_credit_note_references_its_invoice_and_is_frozen(issued, app, monkeypatch):
    t, fam, invoice = issued
    note = create_credit_note(invoice.id, "10,00", "Repas non servi (grève)")
    frozen = json.loads(note.snapshot)
    assert frozen["invoice_number"] == invoice.number
    assert frozen["debtor"]["name"] == "Marc Lefort" and frozen["amount"] == "10.00"
    town_name = app.config["PORTAL_TOWN_NAME"]
    assert frozen["town"]["name"] == town_name
    monkeypatch.setitem(app.config, "PORTAL_TOWN_NAME", "Ville Nouvelle")
    note.reason = "changé"
    db.session.commit()
    text = _text(invoice_pdf(invoice))
    assert f"{note.number}" in text and "Repas non servi (grève)" in text
    assert "Reste à payer 60,55 €" in text


def test_a_separated_parents_invoice_names_that_parent(app_ctx):
    t = town()
    thomas = family("Bernard", t)
    julie = family("Morel", t, children=0)
    lucas = thomas.children[0]
    julie.children.append(lucas)  # the son of both households
    db.session.add_all([Guardian(family=thomas, first_name="Thomas", last_name="Bernard"),
                        Guardian(family=julie, first_name="Julie", last_name="Morel")])
    set_qf(thomas, 800)
    set_qf(julie, 800)
    days = school_days(SEPTEMBER)
    book(thomas, lucas, t.canteen, days[:5])
    book(julie, lucas, t.canteen, days[5:8])
    invoices = {i.family_id: i for i in bill_month(SEPTEMBER, ISSUED).invoices}
    assert json.loads(invoices[thomas.id].snapshot)["debtor"]["name"] == "Thomas Bernard"
    assert json.loads(invoices[julie.id].snapshot)["debtor"]["name"] == "Julie Morel"
    text = _text(invoice_pdf(invoices[julie.id]))
    assert "Julie Morel" in text and "Thomas" not in text
