"""Issued documents' PDFs are rendered once, when issued (a task per chunk of documents),
stored with their SHA-256 and served as stored; their minus sign prints."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import CreditNote, Invoice, IssuedPdf
from app.security.roles import AGENT, MANAGER
from app.services.billing import pdf as billing_pdf
from app.services.billing.credit_notes import CreateCreditNote
from app.services.billing.run import bill_month
from tests import factories as f

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)
MINUS = "\u2212"


def _credit_note(invoice_id, amount, reason):
    return CreateCreditNote(invoice_id, amount, reason).run()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def renders(app, monkeypatch):
    """PDFs at issue on (the test configuration turns them off), renders counted."""
    monkeypatch.setitem(app.config, "PORTAL_PDF_AT_ISSUE", True)
    monkeypatch.setitem(app.config, "PORTAL_PDF_CHUNK", 2)
    counted = {"invoice": 0, "credit_note": 0}
    real_invoice, real_note = billing_pdf.invoice_pdf, billing_pdf.credit_note_pdf

    def invoice_pdf(invoice):
        counted["invoice"] += 1
        return real_invoice(invoice)

    def credit_note_pdf(note):
        counted["credit_note"] += 1
        return real_note(note)

    monkeypatch.setattr(billing_pdf, "invoice_pdf", invoice_pdf)
    monkeypatch.setattr(billing_pdf, "credit_note_pdf", credit_note_pdf)
    return counted


@pytest.fixture
def billed(app, renders):
    with app.app_context():
        t = town()
        families = [family(name, t, username=f"parent.{name.lower()}")
                    for name in ("Alpha", "Beta", "Gamma")]
        for fam in families:
            set_qf(fam, 800)
            book(fam, fam.children[0], t.canteen, DAYS[:5])
        bill_month(SEPTEMBER, ISSUED)
        f.user("gestionnaire", MANAGER)
        f.user("agent", AGENT)
        by_family = {inv.family_id: inv.id for inv in db.session.query(Invoice)}
        ids = {name: by_family[fam.id] for name, fam in zip(("Alpha", "Beta", "Gamma"),
                                                            families, strict=True)}
    return ids  # outside the app context: each request then loads its own user


def _stored(app, kind: str, ref_id: int) -> tuple[IssuedPdf, bytes]:
    with app.app_context():
        record = db.session.query(IssuedPdf).filter_by(kind=kind, ref_id=ref_id).one()
        path = Path(app.config["PORTAL_UPLOAD_DIR"]) / "pdf" / record.path
        return record, path.read_bytes()


def test_each_invoice_is_rendered_once_at_issue_and_served_as_stored(app, client, billed,
                                                                      renders):
    assert renders["invoice"] == 3  # at issue, in two chunks (PORTAL_PDF_CHUNK = 2)
    record, content = _stored(app, "invoice", billed["Alpha"])
    assert record.sha256 == hashlib.sha256(content).hexdigest() and record.size == len(content)
    f.login(client, "parent.alpha")
    first = client.get(f"/famille/finances/factures/{billed['Alpha']}/pdf")
    second = client.get(f"/famille/finances/factures/{billed['Alpha']}/pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == content
    agent = app.test_client()
    f.login(agent, "agent")
    assert agent.get(f"/gestion/factures-pdf/{billed['Alpha']}").data == content
    assert renders["invoice"] == 3  # never rendered again by a download
    assert "Famille Alpha" in _text(content)


def test_an_invoice_issued_before_gets_its_pdf_rendered_by_its_first_download(
        app, client, billed, renders):
    with app.app_context():
        db.session.query(IssuedPdf).delete()
        db.session.commit()
    f.login(client, "gestionnaire")
    first = client.get(f"/gestion/factures-pdf/{billed['Beta']}").data
    second = client.get(f"/gestion/factures-pdf/{billed['Beta']}").data
    assert first == second and first.startswith(b"%PDF")
    assert renders["invoice"] == 4  # 3 at issue + once for the first download
    record, content = _stored(app, "invoice", billed["Beta"])
    assert content == first and record.sha256 == hashlib.sha256(first).hexdigest()


def test_a_tampered_file_is_never_served(app, client, billed, renders):
    record, _content = _stored(app, "invoice", billed["Gamma"])
    path = Path(app.config["PORTAL_UPLOAD_DIR"]) / "pdf" / record.path
    path.write_bytes(b"%PDF-1.4 not the invoice")
    f.login(client, "parent.gamma")
    served = client.get(f"/famille/finances/factures/{billed['Gamma']}/pdf").data
    assert served != b"%PDF-1.4 not the invoice" and "Famille Gamma" in _text(served)


def test_a_credit_note_is_rendered_at_issue_with_its_minus_sign(app, client, billed, renders):
    with app.app_context():
        note = _credit_note(billed["Alpha"], "10,00", "Repas non servi (grève)")
        note_id = note.id
    assert renders["credit_note"] == 1
    _record, content = _stored(app, "credit_note", note_id)
    text = _text(content)
    assert "AVOIR" in text and "Repas non servi (grève)" in text
    assert f"{MINUS}10,00 €" in text  # U+2212 prints (DejaVu Sans embedded)
    f.login(client, "parent.alpha")
    response = client.get(f"/famille/finances/avoirs/{note_id}/pdf")
    assert response.status_code == 200 and response.data == content
    assert 'filename="avoir-AV-2026-000001.pdf"' in response.headers["Content-Disposition"]
    other = app.test_client()
    f.login(other, "parent.beta")  # another family's credit note
    assert other.get(f"/famille/finances/avoirs/{note_id}/pdf").status_code == 404
    staff = app.test_client()
    f.login(staff, "gestionnaire")
    assert staff.get(f"/gestion/avoirs/pdf/{note_id}").data == content
    assert renders["credit_note"] == 1


def test_an_agent_never_gets_a_credit_note(app, client, billed):
    with app.app_context():
        note_id = _credit_note(billed["Beta"], "5,00", "Erreur").id
    f.login(client, "agent")
    assert client.get(f"/gestion/avoirs/pdf/{note_id}").status_code in (302, 403)


def test_the_invoice_prints_the_minus_sign_of_credit_notes(app, billed):
    with app.app_context():
        _credit_note(billed["Alpha"], "8,30", "Repas facturé à tort")
        invoice = db.session.get(Invoice, billed["Alpha"])
        db.session.refresh(invoice)
        text = _text(billing_pdf.invoice_pdf(invoice))
        assert f"Avoirs {MINUS} 8,30 €" in text
        assert db.session.query(CreditNote).count() == 1
