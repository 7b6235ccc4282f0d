"""A manager's morning in Chromium: the tableau de bord at 1280 and 375 px, axe-clean, no
horizontal scroll of the page, and the unpaid figure leads to the unpaid list."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.staff.stats_data import stats_town

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_manager_reads_the_dashboard(app, page, live_server, screenshot, axe_violations,
                                     monkeypatch, width):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-11-26T09:00:00")
    with app.app_context():
        stats_town()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "gestionnaire1", f.PASSWORD)
    page.goto(f"{live_server}/gestion/")
    screenshot(f"tableau-de-bord-{width}")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.locator("text=Effectifs du jour").count() == 1
    violations = axe_violations()
    assert violations == [], describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_navigation():
        page.click("text=Voir les impayés")
    assert page.url.endswith("/gestion/impayes/")
    assert page.problems.errors == []
