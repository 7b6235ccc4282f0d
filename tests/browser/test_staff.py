"""Staff in a real browser: login form, then the families list of the back office."""

from __future__ import annotations

import pytest
from flask import url_for

from app.security.roles import AGENT, MANAGER
from tests import factories as f

from .helpers import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", [AGENT, MANAGER])
def test_staff_opens_the_families_list(app, page, live_server, screenshot, role):
    with app.app_context():
        sch = f.school("École Sainte-Thérèse")
        f.family("Lefebvre", sch)
        f.family("Nguyen", sch)
        f.user("personnel", role)
    with app.test_request_context():
        families_list = url_for("StaffFamilyView.list")

    log_in(page, live_server, "personnel", f.PASSWORD)
    page.goto(f"{live_server}{families_list}")
    screenshot(f"familles-{role.lower()}")
    assert page.locator("html").get_attribute("lang") == "fr"
    table = page.locator("table")
    assert table.count() >= 1, "no list table on the families page"
    text = page.inner_text("body")
    assert "Famille Lefebvre" in text and "Famille Nguyen" in text
    assert page.problems.errors == []
