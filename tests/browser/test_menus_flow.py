"""A parent on a 375 px phone sees the week's canteen menu, with their child's declared
allergen written in words next to the dish (never colour alone), on « Menus de la cantine »
and on Accueil; no sideways scrolling; axe-core clean. Clock: Tuesday 2026-12-01 09:00."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Diet
from tests import factories as f
from tests.menus.builders import MONDAY, NOW, NUT_DESSERT, THURSDAY, declare, menu, town

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def menus(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
    with app.test_request_context():
        t = town(username="parent.menu", children=2)
        hugo, jade = t.family.children
        hugo.first_name, jade.first_name, jade.diet = "Hugo", "Jade", Diet.vegetarian
        db.session.commit()
        declare(hugo, "nuts")
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
        f.booking(t.family, hugo, t.canteen, THURSDAY)


def test_a_parent_sees_the_week_menu_with_the_child_allergen_on_a_phone(
        page, live_server, menus, screenshot, axe_violations):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, "parent.menu", f.PASSWORD)
    page.goto(f"{live_server}/famille/menus/")
    dessert = page.locator("li.menu-dish", has_text="Tarte aux noix")
    dessert.scroll_into_view_if_needed()
    screenshot("menus-375px")
    text = " ".join(dessert.inner_text().split())
    assert "Contient un allergène déclaré pour Hugo : fruits à coque" in text
    thursday = page.locator("section.menu-day", has_text="Jeudi 3 décembre")
    assert "Attention allergène : Hugo : fruits à coque" in " ".join(
        thursday.inner_text().split())
    assert "Alternative végétarienne" in thursday.inner_text() and "(pour Jade)" in \
        thursday.inner_text()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)

    page.goto(f"{live_server}/famille/")
    screenshot("accueil-menus-375px")
    home = " ".join(page.locator("section", has_text="Menus de la semaine").first.inner_text()
                    .split())
    assert "Contient un allergène déclaré pour Hugo : fruits à coque" in home
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    assert page.problems.errors == []
