"""FranceConnect in Chromium against the stand-in provider: a parent links their account
from « Mon compte », logs out (both sessions end), then logs in with the FranceConnect
button and lands on the parent space."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests import factories as f
from tests.standins import (  # noqa: F401  (fixtures)
    api_on,
    api_server,
    fc_on,
    provider,
    provider_sessions,
)
from tests.state.builders import claire

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def registered(fc_on, live_server):  # noqa: F811
    """The live server's return addresses, registered with the provider as FranceConnect
    requires (exact match)."""
    client = next(iter(fc_on.app.extensions["fc_standin"].clients.values()))
    client.redirect_uris.add(f"{live_server}/franceconnect/retour")
    client.post_logout_redirect_uris.add(f"{live_server}/franceconnect/deconnexion")
    return fc_on


def _choose_identity(page, name: str) -> None:
    assert "FranceConnect – service de substitution" in page.inner_text("h1")
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_parent_links_franceconnect_then_logs_in_with_it(
        app, page, live_server, registered, axe_violations, screenshot):
    with app.app_context():
        claire()
    log_in(page, live_server, "claire.martin", f.PASSWORD)
    page.goto(f"{live_server}/famille/compte/")
    section = page.locator("#franceconnect")
    assert "Liez votre compte à FranceConnect" in section.inner_text()
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    with page.expect_navigation():
        section.get_by_role("button", name="S’identifier avec FranceConnect").click()
    _choose_identity(page, "Claire Anne MARTIN")
    assert urlparse(page.url).path == "/famille/compte/"
    assert "Votre compte est lié à FranceConnect" in page.inner_text("body")
    screenshot("franceconnect-lie")

    with page.expect_navigation():
        page.goto(f"{live_server}/logout/")
    page.wait_for_url(f"{live_server}/login/")
    assert "déconnecté du portail et de FranceConnect" in page.inner_text("body")
    assert provider_sessions(registered) == []

    page.set_viewport_size({"width": 375, "height": 800})
    button = page.get_by_role("button", name="S’identifier avec FranceConnect")
    assert button.is_visible()
    screenshot("franceconnect-connexion-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    with page.expect_navigation():
        button.click()
    _choose_identity(page, "Claire Anne MARTIN")
    page.wait_for_url(f"{live_server}/famille/")
    assert urlparse(page.url).path == "/famille/"
    screenshot("franceconnect-espace-famille")
    assert page.problems.errors == []


def test_a_parent_consents_and_reads_the_qf_from_the_caf(
        app, page, live_server, api_on, axe_violations, screenshot):  # noqa: F811
    with app.app_context():
        claire()
    log_in(page, live_server, "claire.martin", f.PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/famille/compte/")
    with page.expect_navigation():
        page.get_by_role("link", name="Faire lire mon quotient familial").click()
    form = page.locator("form", has=page.get_by_role("button", name="Donner mon accord"))
    form.get_by_label("Prénoms").fill("Claire Anne")
    form.get_by_label("Date de naissance").fill("12/04/1986")
    form.get_by_label("Féminin").check()
    form.get_by_label("Code INSEE de la commune de naissance").fill("35288")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
    form.get_by_label("J'accepte que la commune").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Donner mon accord").click()
    assert "Votre accord est enregistré" in page.inner_text("body")
    with page.expect_navigation():
        page.get_by_role("button", name="Consulter mon quotient familial maintenant").click()
    body = page.inner_text("body")
    assert "Quotient familial 620 (CAF) enregistré" in body
    screenshot("quotient-caf-375")
    assert page.problems.errors == []
