"""A booking's round trip in real browsers (Chromium), on the fixed clock of the planning tests
(Thursday 2026-11-26 09:00): a parent books an open day (white → blue), books past the
deadline (→ green), an agent validates the request in the queue (→ blue), the parent sees
the alert (« Alertes (1 non lue) ») and the mail reaches a real SMTP server (aiosmtpd).
Also the queue's refusal page and the pointage page under axe-core."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Booking, BookingState, Family, Request
from app.security.roles import AGENT
from app.services.reservations.day import ChangeDay
from tests import factories as f
from tests.parent.planning_data import FRIDAY, MONDAY, NOW, NOW_ISO, planning_town

from .helpers import PageProblems, describe_violations, log_in

pytestmark = pytest.mark.browser
NOVEMBER = "/famille/planning/2026-11"
QUEUE = "/gestion/file-des-demandes/list/"


@pytest.fixture
def booking_town(app, monkeypatch):
    """Family Fam0 (login parent0, parent0@example.org): one child enrolled at the canteen;
    an agent « agent1 »."""
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW_ISO)
    with app.app_context():
        _school, [canteen], [fam] = planning_town()
        f.user("agent1", AGENT)
        return {"child": fam.children[0].id, "canteen": canteen.id}


def _selector(ids, day) -> str:
    return (f'.pl-cell[data-child="{ids["child"]}"][data-service="{ids["canteen"]}"]'
            f'[data-date="{day.isoformat()}"]')


def _staff_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page, live_server)
    log_in(page, live_server, "agent1", f.PASSWORD)
    return context, page


def _wait_for_mail(smtp_server, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    return smtp_server.messages


def test_late_booking_validated_in_the_queue_reaches_the_family(
        app, browser, page, live_server, booking_town, smtp_server, screenshot, screenshot_dir):
    ids = booking_town
    # The parent books Monday (before the deadline) and Friday (past it).
    log_in(page, live_server, "parent0", f.PASSWORD)
    page.goto(f"{live_server}{NOVEMBER}")
    monday = page.locator(_selector(ids, MONDAY))
    assert monday.get_attribute("data-state") == "available"
    monday.click()
    page.wait_for_selector(f'{_selector(ids, MONDAY)}[data-state="booked"]')
    page.locator(_selector(ids, FRIDAY)).click()
    page.wait_for_selector(f'{_selector(ids, FRIDAY)}[data-state="pending"]')
    expect(page.locator("#pl-status")).to_contain_text("Délai dépassé")
    with app.app_context():
        request = db.session.query(Request).one()
        request_id, summary = request.id, request.summary

    # An agent validates it in the queue, the day's seats beside it.
    context, staff = _staff_page(browser, live_server)
    try:
        staff.goto(f"{live_server}{QUEUE}")
        row = staff.locator("table.portal-table tbody tr", has_text=summary)
        assert "Réservation hors délai" in row.inner_text()
        assert "0 / 10" in row.inner_text()  # seats taken / capacity on Friday
        staff.screenshot(path=str(screenshot_dir / "file-des-demandes.png"), full_page=True)
        row.locator(f'input.action_check[value="{request_id}"]').check()
        staff.get_by_role("button", name="Valider la sélection").click()
        staff.locator("#modal-confirm").get_by_text("Chaque famille recevra").wait_for()
        with staff.expect_navigation():
            staff.locator("#modal-confirm-ok").click()
        assert "1 demande validée : la famille est prévenue." in staff.inner_text("body")
        assert summary not in staff.locator("main").inner_text()
        assert staff.problems.errors == []
    finally:
        context.close()

    # The parent: Friday is blue, the menu says one unread alert, the alert is there.
    page.goto(f"{live_server}{NOVEMBER}")
    friday = page.locator(_selector(ids, FRIDAY))
    assert friday.get_attribute("data-state") == "booked"
    assert "Réservé" in friday.inner_text()
    expect(page.get_by_role("button", name="Alertes (1 non lue)")).to_be_visible()  # menu
    screenshot("planning-apres-validation")
    page.goto(f"{live_server}/parentalertview/list/")
    assert f"Demande acceptée : {summary}" in page.inner_text("body")
    with app.app_context():
        booking = db.session.query(Booking).filter_by(day=FRIDAY).one()
        assert booking.state == BookingState.booked

    # The mail reached the SMTP server, in French.
    messages = _wait_for_mail(smtp_server)
    assert len(messages) == 1
    assert messages[0]["To"] == "parent0@example.org"
    assert messages[0]["Subject"] == f"Demande acceptée : {summary}"
    assert page.problems.errors == []


def test_refusal_pointage_and_kitchen_pages_are_accessible(app, browser, live_server, booking_town,
                                                   screenshot, axe_violations, page):
    ids = booking_town
    with app.test_request_context():
        fam = db.session.query(Family).one()
        ChangeDay(fam.id, ids["child"], ids["canteen"], FRIDAY, "book", now=NOW).run()  # late
        db.session.add(Booking(family_id=fam.id, child_id=ids["child"], day=NOW.date(),
                               service_id=ids["canteen"], school_id=fam.children[0].school_id))
        db.session.commit()
    log_in(page, live_server, "agent1", f.PASSWORD)
    page.goto(f"{live_server}{QUEUE}")
    page.locator("input.action_check").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Refuser la sélection…").click()
    assert page.locator("textarea#reason").count() == 1
    screenshot("file-des-demandes-refus")
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    page.fill("#reason", "Effectif complet ce jour")
    with page.expect_navigation():
        page.get_by_role("button", name="Refuser ces demandes").click()
    assert "1 demande refusée" in page.inner_text("body")

    page.goto(f"{live_server}/gestion/pointage/")
    page.get_by_role("button", name="Tous présents").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le pointage").click()
    assert "Pointage enregistré (1 enfant modifié)." in page.inner_text("body")
    screenshot("pointage")
    for path in (None, "/gestion/effectifs-cuisine/", QUEUE, "/gestion/demandes-traitees/list/"):
        if path:
            page.goto(f"{live_server}{path}")
        violations = axe_violations()
        assert violations == [], f"axe-core on {page.url}:\n" + describe_violations(violations)
    assert "Effectif complet ce jour" in page.inner_text("main")  # the decided requests
    assert page.problems.errors == []
