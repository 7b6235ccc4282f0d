"""A locked parent in a real phone-sized browser (375 px): the login page says the account is
temporarily locked and an unlock mail was sent; the mailed unlock page works with the
keyboard; both pages are axe-core clean and scroll only vertically."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AccountToken, OutgoingMail, TokenPurpose
from app.services.accounts import issue_token
from tests import factories as f

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_locked_parent_is_told_and_unlocks_with_the_mailed_link(
        app, page, live_server, screenshot, axe_violations):
    page.set_viewport_size({"width": 375, "height": 800})
    with app.app_context():
        f.family("Martin", f.school(), children=0, username="martin")
    for _ in range(app.config["PORTAL_MAX_FAILED_LOGINS"]):
        log_in(page, live_server, "martin", "pas-le-bon")
    alert = page.get_by_text("temporairement bloqué")
    assert alert.is_visible()
    assert "lien de déblocage" in page.inner_text("body")
    with app.app_context():  # what the page says is true: the unlock mail is in the outbox
        (mail,) = db.session.scalars(select(OutgoingMail).where(
            OutgoingMail.kind == "account_unlock")).all()
        assert mail.recipient == "martin@example.org"
        assert "/compte/deblocage/" in mail.body_text
    screenshot("connexion-compte-bloque-375")
    assert _no_horizontal_scroll(page)
    assert not (violations := axe_violations()), describe_violations(violations)

    with app.test_request_context():  # the mailed link (its token is only in the mail)
        user = app.appbuilder.sm.find_user(username="martin")
        token, _row = issue_token(user, TokenPurpose.unlock)
        db.session.commit()
        assert db.session.scalar(select(AccountToken.id).where(
            AccountToken.purpose == TokenPurpose.unlock, AccountToken.revoked_at.is_(None)))
    page.goto(f"{live_server}/compte/deblocage/{token}")
    screenshot("deblocage-375")
    assert _no_horizontal_scroll(page)
    assert not (violations := axe_violations()), describe_violations(violations)
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Débloquer mon accès")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/**")
    assert "Votre accès est débloqué" in page.inner_text("body")
    log_in(page, live_server, "martin", f.PASSWORD)
    assert "/famille/" in page.url
    assert page.problems.errors == []
