"""The invoice PDF, read back with pypdf: what a family reads on paper."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Attendance, Payment, SepaMandate
from app.services.billing.credit_notes import CreateCreditNote
from app.services.billing.pdf import invoice_pdf, pdf_filename
from app.services.billing.run import bill_month

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def create_credit_note(*args, **kwargs):
    return CreateCreditNote(*args, **kwargs).run()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Table cells come out one per line, amounts with no-break spaces: one plain space.
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def lefort(app_ctx):
    t = town()
    fam = family("Lefort", t, children=2)
    fam.address, fam.postal_code, fam.city = "12 rue des Écoles", "35430", "Saint-Père"
    set_qf(fam, 800)
    first, second = fam.children
    book(fam, first, t.canteen, DAYS)  # 17 × 4,15 = 70,55
    book(fam, second, t.canteen, DAYS[:10], attendance=Attendance.present)  # 41,50
    book(fam, second, t.canteen, DAYS[10:11], attendance=Attendance.present, unbooked=True)
    book(fam, second, t.care, DAYS[:12])  # 12 × 1,60 = 19,20
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    return fam, invoice


def test_the_pdf_shows_number_lines_total_and_how_to_pay(lefort, app):
    fam, invoice = lefort
    pdf = invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "FACTURE" in text and "FAC-2026-000001" in text
    assert app.config["PORTAL_TOWN_NAME"] in text
    assert "Service des affaires scolaires" in text
    assert "Famille Lefort" in text and "12 rue des Écoles" in text and fam.account_code in text
    assert "septembre 2026" in text
    assert "01/10/2026" in text and "À régler avant le 31/10/2026" in text
    for label, days, price, amount in (
        ("LefortEnfant0 Lefort – Restaurant scolaire", 17, "4,15 €", "70,55 €"),
        ("LefortEnfant1 Lefort – Restaurant scolaire", 10, "4,15 €", "41,50 €"),
        ("LefortEnfant1 Lefort – Restaurant scolaire – présence sans réservation", 1,
         "6,00 €", "6,00 €"),
        ("LefortEnfant1 Lefort – Accueil périscolaire du soir", 12, "1,60 €", "19,20 €"),
    ):
        assert f"{label} {days} {price} {amount}" in text
    assert invoice.total == Decimal("137.25")
    assert "Total de la facture 137,25 €" in text
    assert "Reste à payer 137,25 €" in text
    assert "à l'ordre du Trésor public" in text and "carte bancaire" in text
    assert "CESU" in text and "mandat SEPA" in text
    assert pdf_filename(invoice) == "facture-FAC-2026-000001.pdf"


def test_thousands_are_grouped_the_french_way(app_ctx):
    t = town()
    fam = family("Cantine", t, children=20)
    for kid in fam.children:
        book(fam, kid, t.canteen, DAYS)  # 20 × 17 × 5,10 (no QF) = 1 734,00
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    assert "Total de la facture 1 734,00 €" in _text(invoice_pdf(invoice))


def test_the_pdf_shows_payments_credit_notes_and_what_is_left(lefort):
    fam, invoice = lefort
    db.session.add(Payment(family_id=fam.id, invoice=invoice, amount=Decimal("37.25"),
                           method="cheque", received_on=dt.date(2026, 10, 8)))
    db.session.commit()
    create_credit_note(invoice.id, "8,30", "Repas facturé à tort",
                       issued_on=dt.date(2026, 10, 9))
    db.session.refresh(invoice)
    text = _text(invoice_pdf(invoice))
    assert "AV-2026-000001 du 09/10/2026 : 8,30 € – Repas facturé à tort" in text
    assert "08/10/2026 – Chèque : 37,25 €" in text
    assert "Reste à payer 91,70 €" in text  # 137,25 − 8,30 − 37,25


def test_a_fully_credited_invoice_says_so(lefort):
    _fam, invoice = lefort
    create_credit_note(invoice.id, "137,25", "Facture annulée")
    db.session.refresh(invoice)
    text = _text(invoice_pdf(invoice))
    assert "Annulée par avoir AV-2026-000001" in text
    assert "Reste à payer 0,00 €" in text
    assert "À régler avant" not in text


def test_a_direct_debit_invoice_says_it_will_be_debited(app_ctx):
    t = town()
    fam = family("Preleve", t)
    db.session.add(SepaMandate(family=fam, rum="SPM-2026-0042", holder_name="Preleve",
                               iban="FR7630006000011234567890189", bic="AGRIFRPP",
                               signed_on=dt.date(2026, 9, 1)))
    db.session.commit()
    book(fam, fam.children[0], t.canteen, DAYS[:2])
    [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
    text = _text(invoice_pdf(invoice))
    assert "Prélèvement automatique" in text and "SPM-2026-0042" in text
    assert "prélevée sur votre compte à partir du 31/10/2026" in text
    assert "À régler avant" not in text
