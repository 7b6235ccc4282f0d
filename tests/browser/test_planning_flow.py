"""A parent's planning in a real browser (Chromium): a click books a white day without
reloading the page, a late click becomes a green request with the French explanation,
the keyboard alone works, a 375 px phone shows the month without sideways scrolling, and
the page still works with JavaScript off. The clock is fixed (PORTAL_FIXED_NOW) at
Thursday 2026-11-26 09:00."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Booking, BookingState
from tests import factories as f
from tests.parent.planning_data import FRIDAY, MONDAY, NOW_ISO, planning_town

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser
NOVEMBER = "/famille/planning/2026-11"


@pytest.fixture
def planning(app, monkeypatch):
    """Family Fam0 (login parent0): two children, canteen and evening care, all enrolled."""
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW_ISO)
    with app.app_context():
        _school, services, [fam] = planning_town(children=2, services=2)
        kid = fam.children[0]
        db.session.add(Booking(family=fam, child=kid, service=services[0],
                               school_id=kid.school_id, day=MONDAY.replace(day=23)))
        db.session.commit()
        return {"child": kid.id, "canteen": services[0].id}


def _cell(page, ids, day):
    return page.locator(
        f'.pl-cell[data-child="{ids["child"]}"][data-service="{ids["canteen"]}"]'
        f'[data-date="{day.isoformat()}"]'
    )


def _state_in_db(app, ids, day):
    with app.app_context():
        row = db.session.query(Booking).filter_by(
            child_id=ids["child"], service_id=ids["canteen"], day=day).one_or_none()
        return row.state if row else None


def _open(page, live_server):
    log_in(page, live_server, "parent0", f.PASSWORD)
    page.goto(f"{live_server}{NOVEMBER}")
    page.evaluate("window.__samePage = true")


def test_click_books_a_white_day_without_reload(page, live_server, app, planning):
    _open(page, live_server)
    monday = _cell(page, planning, MONDAY)
    assert monday.get_attribute("data-state") == "available"
    monday.click()
    page.wait_for_selector(f'{_selector(planning, MONDAY)}[data-state="booked"]')
    assert page.evaluate("window.__samePage") is True, "the page was reloaded"
    assert "Réservé" in monday.inner_text()
    assert "réservé. Activer pour annuler." in monday.get_attribute("aria-label")
    status = page.locator("#pl-status")
    expect(status).to_have_text("Réservé.")
    assert status.is_visible()
    assert _state_in_db(app, planning, MONDAY) == BookingState.booked
    assert page.problems.errors == []


def test_late_click_turns_green_with_the_reason(page, live_server, app, planning, screenshot):
    _open(page, live_server)
    friday = _cell(page, planning, FRIDAY)
    assert friday.get_attribute("data-late") == "true"
    friday.click()
    page.wait_for_selector(f'{_selector(planning, FRIDAY)}[data-state="pending"]')
    status = page.locator("#pl-status")
    expect(status).to_contain_text("Délai dépassé")
    assert status.is_visible()
    text = status.inner_text()
    assert "Délai dépassé (jusqu'au mercredi 25 novembre à 10h00)" in text
    assert "votre demande sera étudiée par le service" in text
    assert "En attente" in friday.inner_text()
    assert page.evaluate("window.__samePage") is True
    screenshot("planning-demande-hors-delai")
    assert _state_in_db(app, planning, FRIDAY) == BookingState.pending
    page.keyboard.press("Escape")
    assert not status.is_visible()
    assert page.problems.errors == []


def test_keyboard_alone_books_and_cancels(page, live_server, app, planning):
    _open(page, live_server)
    monday = _cell(page, planning, MONDAY)
    monday.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'{_selector(planning, MONDAY)}[data-state="booked"]')
    assert page.evaluate("document.activeElement.dataset.date") == MONDAY.isoformat()
    page.keyboard.press("Space")
    page.wait_for_selector(f'{_selector(planning, MONDAY)}[data-state="available"]')
    expect(page.locator("#pl-status")).to_have_text("Réservation annulée.")
    assert _state_in_db(app, planning, MONDAY) == BookingState.cancelled


def test_planning_on_desktop_and_a_375px_phone(page, live_server, planning, screenshot,
                                               axe_violations):
    _open(page, live_server)
    screenshot("planning-bureau")
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server}{NOVEMBER}")
    screenshot("planning-375px")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    monday = _cell(page, planning, MONDAY)
    box = monday.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box  # a finger-sized target
    monday.click()
    page.wait_for_selector(f'{_selector(planning, MONDAY)}[data-state="booked"]')
    assert page.problems.errors == []


def test_without_javascript_the_cell_is_a_form_button(browser, live_server, app, planning):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server, "parent0", f.PASSWORD)
        page.goto(f"{live_server}{NOVEMBER}")
        with page.expect_navigation():
            _cell(page, planning, MONDAY).click()
        assert page.url.endswith(f"{NOVEMBER}#enfant-{planning['child']}-service-"
                                 f"{planning['canteen']}")
        assert _cell(page, planning, MONDAY).get_attribute("data-state") == "booked"
        assert "Réservé." in page.locator(".portal-flashes").inner_text()
    finally:
        context.close()


def _selector(ids, day) -> str:
    return (f'.pl-cell[data-child="{ids["child"]}"][data-service="{ids["canteen"]}"]'
            f'[data-date="{day.isoformat()}"]')


def test_inscription_page_is_accessible_on_a_phone(page, live_server, planning, screenshot,
                                                   axe_violations):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, "parent0", f.PASSWORD)
    page.goto(f"{live_server}/famille/inscription/")
    page.locator("details summary").first.click()
    screenshot("inscription-375px")
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    assert page.problems.errors == []
