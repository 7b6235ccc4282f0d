"""A conversation on a phone (Chromium, 375 px wide): a parent writes to the service with a
PDF attached, an agent replies, the parent sees the unread reply, and both mails reached
the SMTP server (aiosmtpd). axe-core on the parent's pages and the agent's."""

from __future__ import annotations

import pytest

from app.security.roles import AGENT
from tests import factories as f
from tests.accounts import samples

from .helpers import PageProblems, describe_violations, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def families(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        f.family("Martin", school, children=1, username="martin")
        f.family("Voisin", school, username="voisin", marker="Intrus")
        f.user("agent", AGENT, email="agent@example.org")


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width}px wide on a 375px phone"


def _axe_clean(page, run_axe) -> None:
    violations = run_axe()
    assert violations == [], f"{page.url} axe-core:\n" + describe_violations(violations)


def test_parent_writes_with_a_pdf_agent_replies_parent_sees_the_unread_reply(
        browser, live_server, families, smtp_server, tmp_path, screenshot_dir, axe_violations,
        page):
    pdf = tmp_path / "certificat-medical.pdf"
    pdf.write_bytes(samples.PDF)
    phone = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    parent = phone.new_page()
    parent.problems = PageProblems(parent, live_server)
    try:
        log_in(parent, live_server, "martin", f.PASSWORD)
        parent.goto(f"{live_server}/famille/messages/")
        _no_horizontal_scroll(parent)
        parent.select_option("#topic", label="Restaurant scolaire")
        parent.select_option("#child", label="MartinEnfant0 Martin")
        parent.fill("#subject", "Absence jeudi")
        parent.fill("#body", "Notre fils sera absent jeudi, certificat joint.")
        parent.set_input_files("#files", str(pdf))
        with parent.expect_navigation():
            parent.get_by_role("button", name="Envoyer le message").click()
        assert "Votre message est envoyé au service." in parent.inner_text("body")
        assert "certificat-medical.pdf" in parent.inner_text(".msg-thread")
        parent.screenshot(path=str(screenshot_dir / "message-envoye-375.png"), full_page=True)
        _no_horizontal_scroll(parent)
        conversation_url = parent.url
        assert [m["To"] for m in smtp_server.messages] == [
            "affaires.scolaires@ville-saint-pere.fr"]

        # An agent (desktop) opens the inbox, reads and replies.
        agent = page
        log_in(agent, live_server, "agent", f.PASSWORD)
        agent.goto(f"{live_server}/gestion/messages/")
        assert "1 message non lu" in agent.inner_text("#inbox-count")
        row = agent.locator("#inbox tbody tr", has_text="Absence jeudi")
        assert "Famille Martin" in row.inner_text()
        with agent.expect_navigation():
            row.get_by_role("link", name="Absence jeudi").click()
        with agent.expect_download() as download:
            agent.get_by_role("link", name="certificat-medical.pdf").click()
        assert download.value.suggested_filename == "certificat-medical.pdf"
        _axe_clean(agent, axe_violations)
        agent.fill("#body", "Bien reçu, l'absence est excusée.")
        with agent.expect_navigation():
            agent.get_by_role("button", name="Envoyer la réponse").click()
        assert "la famille est prévenue" in agent.inner_text("body")
        assert agent.problems.errors == []

        # The parent sees the unread reply: in the menu, in the list, in the conversation.
        parent.goto(f"{live_server}/famille/")
        assert "Messages (1 non lu)" in " ".join(parent.locator("nav").text_content().split())
        parent.goto(f"{live_server}/famille/messages/")
        item = parent.locator(".msg-item", has_text="Absence jeudi")
        assert "1 réponse non lue" in item.inner_text()
        _axe_clean(parent, axe_violations_for(parent))
        with parent.expect_navigation():
            item.get_by_role("link", name="Absence jeudi").click()
        assert parent.url == conversation_url
        assert "1 nouvelle réponse du service." in parent.inner_text("body")
        reply = parent.locator(".msg-staff.msg-unread")
        assert "Bien reçu, l'absence est excusée." in reply.inner_text()
        assert "Nouveau" in reply.inner_text()
        parent.screenshot(path=str(screenshot_dir / "reponse-non-lue-375.png"), full_page=True)
        _no_horizontal_scroll(parent)
        _axe_clean(parent, axe_violations_for(parent))
        assert parent.problems.errors == []
    finally:
        phone.close()

    # Both mails reached aiosmtpd: the service's, then the family's.
    assert [m["To"] for m in smtp_server.messages] == [
        "affaires.scolaires@ville-saint-pere.fr", "martin@example.org"]
    family_mail = smtp_server.messages[1]
    assert family_mail["Subject"] == "Nouveau message du service : Absence jeudi"
    text = family_mail.get_body(("plain",)).get_content()
    assert conversation_url.split("//", 1)[1].split("/", 1)[1] in text  # the link


def axe_violations_for(tab):
    """axe-core on another tab than the fixture's page."""
    from .conftest import AXE_JS, BLOCKING_IMPACTS

    def _run() -> list[dict]:
        # Evaluated by the driver: the page's CSP refuses an injected <script> (docs/security.md).
        tab.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;window.axe = axe;")
        result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]

    return _run
