"""A document's round trip in real browsers (Chromium): a parent sends a PDF medical
certificate, an agent checks and accepts it, the parent sees the alert and the accepted
document. Also axe-core on the parent's « Mes documents » and « Mon compte » pages and on
the public forgotten-password page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import DocumentType
from app.security.roles import AGENT
from tests import factories as f
from tests.accounts import samples

from .helpers import PageProblems, describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def families(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        f.family("Martin", school, children=1, username="martin")
        f.family("Voisin", school, username="voisin", marker="Intrus")
        f.user("agent", AGENT)
        db.session.add(DocumentType(code="certificat", label="Certificat médical",
                                    validity_months=12, required=True))
        db.session.commit()


def _menu(page, label: str) -> None:
    """Open a top menu entry, as a user would (through its link)."""
    with page.expect_navigation():
        page.get_by_role("link", name=label, exact=True).first.click()


def test_parent_sends_a_certificate_staff_accept_it_parent_sees_the_alert(
        browser, page, live_server, families, tmp_path, screenshot):
    certificate = tmp_path / "certificat-medical.pdf"
    certificate.write_bytes(samples.PDF)

    # The parent sends the certificate from « Mes documents ».
    log_in(page, live_server, "martin", f.PASSWORD)
    _menu(page, "Mes documents")
    reminder = page.locator("#a-fournir")
    assert "Certificat médical" in reminder.inner_text()
    page.select_option("#document_type", label="Certificat médical")
    page.set_input_files("#file", str(certificate))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le document").click()
    screenshot("document-envoye")
    assert "certificat-medical.pdf » est envoyé" in page.inner_text("body")
    row = page.locator("#transmis tbody tr", has_text="certificat-medical.pdf")
    assert "À vérifier" in row.inner_text()
    assert page.locator("#a-fournir").count() == 0  # sent: no longer « to provide »

    # An agent, in another browser session, opens it and accepts it.
    staff_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.problems = PageProblems(staff, live_server)
    try:
        log_in(staff, live_server, "agent", f.PASSWORD)
        staff.goto(f"{live_server}/gestion/documents-a-verifier/list/")
        line = staff.locator("table tbody tr", has_text="certificat-medical.pdf")
        assert "Famille Martin" in line.inner_text()
        with staff.expect_navigation():
            line.locator("a[href*='/show/']").first.click()
        # The link downloads the file. Read through the page's own session rather than the
        # browser's download manager: the page's inline PDF preview may already count as a
        # download there, and headless Chromium then holds the next one (flaky under load).
        link = staff.get_by_role("link", name="Télécharger « certificat-medical.pdf »")
        answer = staff.request.get(live_server + link.get_attribute("href"))
        assert answer.ok and answer.body() == certificate.read_bytes()
        assert 'filename="certificat-medical.pdf"' in answer.headers["content-disposition"] \
            or "filename=certificat-medical.pdf" in answer.headers["content-disposition"]
        assert answer.headers["content-disposition"].startswith("attachment")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Accepter le document").click()
        screenshot_path = tmp_path / "staff.png"
        staff.screenshot(path=str(screenshot_path))
        assert "Document accepté : la famille est prévenue." in staff.inner_text("body")
        assert staff.problems.errors == []
    finally:
        staff_context.close()

    # The parent sees the alert, and the document accepted.
    page.goto(f"{live_server}/famille/")
    screenshot("alerte-document-accepte")
    home = page.inner_text("body")
    assert "Demande acceptée : Certificat médical : certificat-medical.pdf" in home
    _menu(page, "Mes documents")
    assert "Accepté" in page.locator("#transmis tbody tr").inner_text()
    assert page.problems.errors == []


@pytest.mark.parametrize("path", ["/famille/documents/", "/famille/compte/",
                                  "/compte/mot-de-passe-oublie"])
def test_account_pages_have_no_serious_accessibility_violation(page, live_server, families,
                                                               axe_violations, path):
    if path.startswith("/famille"):
        log_in(page, live_server, "martin", f.PASSWORD)
    page.goto(f"{live_server}{path}")
    assert page.locator("h1").count() == 1
    assert "Intrus" not in page.inner_text("body")
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    assert page.problems.errors == []
