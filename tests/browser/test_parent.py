"""A parent in a real browser: login form, French parent home, accessibility (axe-core)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from flask import url_for

from tests import factories as f

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def parent_home(app) -> str:
    """The Martin family (logged in as `martin`) and a neighbour family that must not show."""
    with app.app_context():
        sch = f.school("École Théodore Chalmel")
        f.family("Martin", sch, children=2, username="martin")
        f.family("Voisin", sch, username="voisin", marker="Intrus")
    with app.test_request_context():
        return url_for("ParentHomeView.index")


def test_parent_logs_in_and_sees_his_children(page, live_server, parent_home, screenshot):
    log_in(page, live_server, "martin", f.PASSWORD)
    screenshot("parent-accueil")
    assert urlparse(page.url).path == parent_home
    assert page.locator("html").get_attribute("lang") == "fr"
    body = page.inner_text("body")
    assert "MartinEnfant0" in body and "MartinEnfant1" in body
    assert "Intrus" not in body, "another family's data is shown"
    assert page.problems.errors == []


def test_wrong_password_keeps_the_parent_out(page, live_server, parent_home, screenshot):
    log_in(page, live_server, "martin", "pas-le-bon")
    screenshot("connexion-refusee")
    assert urlparse(page.url).path == "/login/"
    body = page.inner_text("body")
    assert "mot de passe incorrect" in body.lower(), "no French message tells why"
    assert "MartinEnfant0" not in body
    page.goto(f"{live_server}{parent_home}")
    assert urlparse(page.url).path == "/login/", "the parent space opened without login"


def test_login_page_has_no_serious_accessibility_violation(page, live_server, axe_violations,
                                                           screenshot):
    page.goto(f"{live_server}/login/")
    screenshot("connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    violations = axe_violations()
    print(describe_violations(violations))
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    assert page.problems.errors == []


def test_parent_home_has_no_serious_accessibility_violation(page, live_server, parent_home,
                                                            axe_violations):
    log_in(page, live_server, "martin", f.PASSWORD)
    assert urlparse(page.url).path == parent_home
    violations = axe_violations()
    print(describe_violations(violations))
    assert violations == [], "axe-core:\n" + describe_violations(violations)
