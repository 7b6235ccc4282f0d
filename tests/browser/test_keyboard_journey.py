"""A parent of the demo town (claire.martin) does her month with the keyboard alone: Tab,
Shift+Tab, Enter, Space and the arrows, never the mouse nor page.goto (issue 11, RGAA 7.3
and 10.7). She logs in, books a day, cancels one, applies a standard week, declares an
absence, pays an invoice in the payment sandbox, sends a document and logs out. Each
element reached has a visible focus indicator.

The demo is loaded once for this module under a fixed clock (Thursday 26/11/2026 09:00)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.demo.accounts import PARENT_PASSWORD
from app.demo.features import pdf_upload
from app.extensions import db
from app.models import Booking, BookingState, FamilyDocument, Invoice, InvoiceState, Payment
from tests.conftest import _empty_tables
from tests.parent.planning_data import NOW_ISO
from tests.test_demo import run_demo

pytestmark = pytest.mark.browser

MAX_TABS = 700
FOCUSED = "document.activeElement"
# A visible focus: an outline or a box-shadow (portal.css), or the browser's own ring.
FOCUS_VISIBLE_JS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
         || (s.boxShadow && s.boxShadow !== 'none');
}"""


@pytest.fixture(scope="module")
def clean_db(app):
    """Overrides the per-test emptying: the demo town under the tests' fixed clock."""
    app.extensions["portal_background"].wait()
    before = app.config.get("PORTAL_FIXED_NOW")
    app.config["PORTAL_FIXED_NOW"] = NOW_ISO
    with app.app_context():
        _empty_tables()
    run_demo(app)
    yield
    app.extensions["portal_background"].wait()
    app.config["PORTAL_FIXED_NOW"] = before
    with app.app_context():
        db.session.rollback()
        _empty_tables()
        app.appbuilder.sm.create_roles()
        db.session.commit()


def tab_to(page, selector: str, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until the focus is on an element matching `selector`; asserts
    that the element shows where the focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate(f"s => {FOCUSED}.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE_JS), f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} never reached with {key}")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def open_menu_item(page, href_end: str) -> None:
    """From the top of the page: Tab to the menu entry (opening its dropdown with Enter
    first when it is in one), then Enter."""
    page.keyboard.press("Escape")
    link = f'a[href$="{href_end}"]'
    toggle = page.evaluate(
        """s => { const a = document.querySelector(s);
                  const menu = a && a.closest('.dropdown');
                  return menu && !menu.classList.contains('open')
                    ? menu.querySelector('.dropdown-toggle').textContent.trim() : null; }""",
        link)
    if toggle:
        narrow = page.evaluate("window.innerWidth < 768")
        if narrow:
            tab_to(page, ".navbar-toggle")
            page.keyboard.press("Enter")
        tab_to(page, f'.dropdown-toggle:has(+ .dropdown-menu {link})')
        page.keyboard.press("Enter")
    tab_to(page, f'.portal-header {link}')
    press_and_wait(page, "Enter")
    assert page.url.endswith(href_end), page.url


def flash_text(page) -> str:
    """The confirmation shown at the top of the page (or, to explain a failure, the page)."""
    for where in (".portal-flashes", "#form-errors", "main"):
        if page.locator(where).count():
            return page.locator(where).inner_text()
    return ""


def claire(app):
    from app.models import Family
    with app.app_context():
        family = db.session.query(Family).filter_by(name="Famille Martin").one()
        return family.id


def test_a_parent_does_her_month_with_the_keyboard_alone(page, live_server, app, tmp_path):
    family_id = claire(app)
    page.goto(f"{live_server}/login/")  # the address typed in the browser's bar
    # Log in: the skip link first, then the form.
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.classList.contains('skip-link')"), "no skip link first"
    tab_to(page, "form[name=login] [name=username]")
    page.keyboard.type("claire.martin")
    page.keyboard.press("Tab")
    page.keyboard.type(PARENT_PASSWORD)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/famille/"), page.url

    # The updated règlement blocks new bookings until it is accepted: accept what is asked.
    open_menu_item(page, "/famille/autorisations/")
    for _ in range(5):
        if not page.locator("form.consent-form button[value=accept]").count():
            break
        tab_to(page, "form.consent-form button[value=accept]")
        press_and_wait(page, "Enter")

    # Book a white day of the planning, then cancel a booked one.
    open_menu_item(page, "/famille/planning/")
    free = '.pl-cell[data-state="available"]:not([data-late="true"])'
    tab_to(page, free)
    day = page.evaluate(f"{FOCUSED}.dataset.date")
    child = page.evaluate(f"{FOCUSED}.dataset.child")
    service = page.evaluate(f"{FOCUSED}.dataset.service")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'.pl-cell[data-date="{day}"][data-child="{child}"]'
                           '[data-state="booked"]')
    assert page.evaluate(f"{FOCUSED}.dataset.date") == day, "the focus left the cell"
    tab_to(page, '.pl-cell[data-state="booked"]:not([data-late="true"])')
    cancelled = page.evaluate(f"[{FOCUSED}.dataset.date, {FOCUSED}.dataset.child, "
                              f"{FOCUSED}.dataset.service]")
    page.keyboard.press("Space")
    page.wait_for_selector(f'.pl-cell[data-date="{cancelled[0]}"][data-child="{cancelled[1]}"]'
                           f'[data-service="{cancelled[2]}"][data-state="available"]')
    with app.app_context():
        # One cell is a child × a service × a day: the child's other service that day has
        # its own state.
        states = {(b.day.isoformat(), str(b.child_id), str(b.service_id)): b.state
                  for b in db.session.query(Booking).filter_by(family_id=family_id)}
    assert states[(day, child, service)] == BookingState.booked
    assert states[tuple(cancelled)] == BookingState.cancelled

    # The standard week: the defaults (Monday, Tuesday, Thursday, Friday), Wednesday added
    # with Space, applied with Enter on the button.
    tab_to(page, "form.pl-standard #pl-row")
    tab_to(page, 'form.pl-standard input[name=weekdays][value="2"]')
    page.keyboard.press("Space")
    assert page.is_checked('form.pl-standard input[name=weekdays][value="2"]')
    tab_to(page, "form.pl-standard button[type=submit]")
    press_and_wait(page, "Enter")
    assert "semaine type" not in page.url
    assert page.locator(".portal-flashes .alert").count() >= 1, "no confirmation"

    # Declare an absence: a booked day chosen with the arrows, a reason with the arrows.
    open_menu_item(page, "/famille/absence/")
    # (A day of the month to come: November is already billed, its days are refused.)
    tab_to(page, "select#booking")
    for _ in range(60):
        page.keyboard.press("ArrowDown")
        if "/12/2026" in page.evaluate(f"{FOCUSED}.selectedOptions[0].text"):
            break
    assert "/12/2026" in page.evaluate(f"{FOCUSED}.selectedOptions[0].text")
    tab_to(page, 'input[name=reason]')
    page.keyboard.press("ArrowDown")  # from the first reason to « Raison familiale »
    assert page.evaluate(f"{FOCUSED}.value") == "family"
    assert page.is_checked('input[name=reason][value="family"]')
    tab_to(page, "form[name=declare-absence] button[type=submit]")
    press_and_wait(page, "Enter")
    assert "Absence signalée" in flash_text(page)

    # Pay an invoice in the sandbox.
    open_menu_item(page, "/famille/finances/")
    tab_to(page, "form.fin-pay-form button[type=submit]")
    invoice_id = int(page.evaluate(f"{FOCUSED}.closest('[data-invoice]').dataset.invoice"))
    press_and_wait(page, "Enter")
    assert "/sandbox/pay" in page.url
    tab_to(page, 'button[name=decision][value="pay"]')
    assert page.evaluate(f"{FOCUSED}.textContent.trim()") == "Payer"
    press_and_wait(page, "Enter")
    assert "Merci, votre paiement est enregistré." in page.inner_text("body")
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).state == InvoiceState.paid
        payment = db.session.query(Payment).filter_by(invoice_id=invoice_id).one()
        assert payment.method == "card" and payment.amount > Decimal("0")

    # Send a document: the type with the arrows, the file chooser opened with Space.
    open_menu_item(page, "/famille/documents/")
    tab_to(page, "select#document_type")
    page.keyboard.press("ArrowDown")
    tab_to(page, "form[name=send-document] input[type=file]")
    upload = tmp_path / "attestation-assurance.pdf"
    upload.write_bytes(pdf_upload("attestation-assurance.pdf", "Attestation",
                                  "Assurance scolaire 2026-2027.").read())
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(upload))
    tab_to(page, "form[name=send-document] button[type=submit]")
    press_and_wait(page, "Enter")
    assert "attestation-assurance.pdf" in flash_text(page)
    with app.app_context():
        assert db.session.query(FamilyDocument).filter_by(
            family_id=family_id, original_filename="attestation-assurance.pdf").count() == 1

    # Log out from the account menu.
    page.keyboard.press("Escape")
    tab_to(page, ".portal-tools .dropdown-toggle")
    page.keyboard.press("Enter")
    tab_to(page, 'a[href$="/logout/"]')
    press_and_wait(page, "Enter")
    assert "/login" in page.url or page.url.rstrip("/") == live_server
    assert page.problems.errors == []
