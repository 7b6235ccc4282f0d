"""A manager opens the statistics page in Chromium: charts drawn, axe-clean, and not one
request leaves the app's own host (no chart library from a third party)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import factories as f
from tests.staff.stats_data import stats_town

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_manager_opens_the_statistics(app, page, live_server, screenshot, axe_violations,
                                      monkeypatch, width):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-11-26T09:00:00")
    with app.app_context():
        stats_town()
    hosts: list[str] = []
    page.on("request", lambda r: hosts.append(urlsplit(r.url).netloc))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "gestionnaire1", f.PASSWORD)
    page.goto(f"{live_server}/gestion/statistiques/?du=2026-09-01&au=2026-11-30&par=week")
    page.select_option("#stat-ecole", label="École Nord")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "ecole=" in page.url
    screenshot(f"statistiques-{width}")
    assert page.locator("svg.portal-chart").count() == 6
    assert page.locator("#table-reservations tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations()
    assert violations == [], describe_violations(violations)
    own = urlsplit(live_server).netloc
    assert set(hosts) == {own}, f"requests left the app's host: {set(hosts) - {own}}"
    assert page.problems.errors == []
