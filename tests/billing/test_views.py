"""Back-office billing pages: who may download an invoice PDF, run the billing, issue a
credit note; and that each does what the manager sees."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import BillingRun, CreditNote, Invoice
from app.security.roles import AGENT, MANAGER, PARENT
from app.services.billing.run import bill_month, start_run
from tests import factories as f
from tests.test_accessibility import audit

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


@pytest.fixture
def billed(app):
    """Two families billed for September; a manager, an agent, and family A's parent."""
    with app.app_context():
        t = town()
        a = family("Alpha", t, username="parent.alpha")
        b = family("Beta", t, username="parent.beta")
        for fam in (a, b):
            set_qf(fam, 800)
            book(fam, fam.children[0], t.canteen, DAYS[:5])
        bill_month(SEPTEMBER, ISSUED)
        f.user("gestionnaire", MANAGER)
        f.user("agent", AGENT)
        ids = {inv.family_id: inv.id for inv in db.session.query(Invoice)}
        yield {"a": ids[a.id], "b": ids[b.id]}


@pytest.fixture
def fixed_clock(app):
    """The 1st of October 2026: September is over and may be billed."""
    app.config["PORTAL_FIXED_NOW"] = "2026-10-01T09:00:00"
    yield
    app.config["PORTAL_FIXED_NOW"] = None


def _is_pdf(response) -> bool:
    return response.status_code == 200 and response.data.startswith(b"%PDF")


@pytest.mark.parametrize("username", ["agent", "gestionnaire"])
def test_staff_download_any_invoice_pdf(app, client, billed, username):
    f.login(client, username)
    response = client.get(f"/gestion/factures-pdf/{billed['b']}")
    assert _is_pdf(response)
    assert response.mimetype == "application/pdf"
    assert 'filename="facture-FAC-2026-000002.pdf"' in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "FAC-2026-000002" in text and "Famille Beta" in text
    assert client.get("/gestion/factures-pdf/999999").status_code == 404


def test_a_parent_cannot_download_pdfs_from_the_back_office(app, client, billed):
    f.login(client, "parent.alpha")
    for invoice_id in (billed["b"], billed["a"]):  # another family's, and even its own
        response = client.get(f"/gestion/factures-pdf/{invoice_id}")
        assert response.status_code in (302, 403, 404)
        assert not response.data.startswith(b"%PDF")
        assert b"Beta" not in response.data


def test_a_parent_downloads_its_own_invoice_not_another_familys(app, client, billed):
    """Through the parent's Finances rubrique, which serves the same PDF."""
    f.login(client, "parent.alpha")
    own = client.get(f"/famille/finances/factures/{billed['a']}/pdf")
    assert _is_pdf(own)
    assert "Famille Alpha" in PdfReader(io.BytesIO(own.data)).pages[0].extract_text()
    other = client.get(f"/famille/finances/factures/{billed['b']}/pdf")
    assert other.status_code in (403, 404)
    assert not other.data.startswith(b"%PDF") and b"Beta" not in other.data


def test_roles_give_the_pdf_to_agents_and_managers_only(app):
    """The builtin roles' rules (app/security/roles.py), as FAB applies them."""
    with app.app_context():
        sm = app.appbuilder.sm

        def allowed(role_name: str, permission: str, view: str) -> bool:
            return sm._has_access_builtin_roles(sm.find_role(role_name), permission, view)

        pdf = ("can_pdf", "FinanceInvoicePdfView")
        assert allowed(AGENT, *pdf) and allowed(MANAGER, *pdf)
        assert not allowed(PARENT, *pdf)
        for permission, view in (("can_run", "FinanceBillingRunView"),
                                 ("can_index", "FinanceBillingRunView"),
                                 ("can_issue", "FinanceCreditNoteIssueView")):
            assert allowed(MANAGER, permission, view)
            assert not allowed(AGENT, permission, view)
            assert not allowed(PARENT, permission, view)


def test_the_manager_bills_a_month_from_the_page(app, client, fixed_clock):
    with app.app_context():
        t = town()
        for name in ("Un", "Deux"):
            fam = family(name, t)
            book(fam, fam.children[0], t.canteen, DAYS[:3])
        f.user("gestionnaire", MANAGER)
    f.login(client, "gestionnaire")
    page = client.get("/gestion/facturation/")
    assert page.status_code == 200
    assert '<option value="2026-09" selected>Septembre 2026</option>' in page.text
    response = client.post("/gestion/facturation/lancer", data={"month": "2026-09"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Facturation terminée pour septembre 2026 : 2 facture(s) créée(s)." in response.text
    assert re.search(r"FAC-2026-000001\s*</span> – <span[^>]*>FAC-2026-000002", response.text)
    with app.app_context():
        assert db.session.query(Invoice).count() == 2
        run_id = db.session.query(BillingRun.id).scalar()
    status = client.get(f"/gestion/facturation/etat/{run_id}").get_json()
    assert (status["state"], status["families_done"], status["invoices_created"]) == (
        "done", 2, 2)
    # A month not over yet is refused, with the reason.
    refused = client.post("/gestion/facturation/lancer", data={"month": "2026-10"},
                          follow_redirects=True)
    assert "Octobre 2026 n&#39;est pas encore terminé" in refused.text


def test_an_agent_may_not_run_the_billing(app, client, fixed_clock):
    with app.app_context():
        t = town()
        fam = family("Un", t)
        book(fam, fam.children[0], t.canteen, DAYS[:3])
        f.user("agent", AGENT)
    f.login(client, "agent")
    assert client.get("/gestion/facturation/").status_code in (302, 403)
    client.post("/gestion/facturation/lancer", data={"month": "2026-09"})
    with app.app_context():
        assert db.session.query(Invoice).count() == 0
        assert db.session.query(BillingRun).count() == 0


def test_the_manager_issues_a_credit_note(app, client, billed):
    f.login(client, "gestionnaire")
    found = client.get("/gestion/avoirs/emettre/?number=fac-2026-000001")
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/gestion/avoirs/emettre/{billed['a']}")
    form = client.get(f"/gestion/avoirs/emettre/{billed['a']}")
    assert form.status_code == 200 and "20,75" in form.text  # 5 × 4,15
    too_much = client.post(f"/gestion/avoirs/emettre/{billed['a']}",
                           data={"amount": "30", "reason": "Trop"}, follow_redirects=True)
    assert "ne peut dépasser" in too_much.text
    done = client.post(f"/gestion/avoirs/emettre/{billed['a']}",
                       data={"amount": "4,15", "reason": "Repas du 01/09 non pris"},
                       follow_redirects=True)
    assert "Avoir AV-2026-000001" in done.text
    with app.app_context():
        [note] = db.session.query(CreditNote).all()
        assert (note.invoice_id, str(note.amount), note.created_by_id is not None) == (
            billed["a"], "4.15", True)


def test_an_agent_may_not_issue_a_credit_note(app, client, billed):
    f.login(client, "agent")
    response = client.post(f"/gestion/avoirs/emettre/{billed['a']}",
                           data={"amount": "1", "reason": "Essai"})
    assert response.status_code in (302, 403)
    with app.app_context():
        assert db.session.query(CreditNote).count() == 0


def test_billing_pages_pass_the_accessibility_checks(app, client, billed, fixed_clock):
    with app.app_context():
        start_run("2026-09", ISSUED)  # a run underway: its progress bar is on the page
    f.login(client, "gestionnaire")
    for url in ("/gestion/facturation/", "/gestion/avoirs/emettre/",
                f"/gestion/avoirs/emettre/{billed['a']}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert audit(response.get_data(as_text=True)) == [], url
