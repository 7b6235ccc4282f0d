"""The parent's Finances, Alertes, Mes demandes and Historique on a phone (375 px) and a
desktop (1280 px): one card per item, the « Payer » button on screen, the pending payment
explained, no horizontal scroll, axe-core clean, and « Tout marquer comme lu » by keyboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.demo import documents as demo_documents
from app.extensions import db
from app.models import Alert, PaymentTransaction, RequestState, ServiceKind
from app.models.base import utcnow
from tests import factories as f
from tests.payments import builders as b

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser
PAGES = {"finances": "/famille/finances/", "alertes": "/parentalertview/list/",
         "demandes": "/parentrequestview/list/", "historique": "/parentbookingview/list/",
         "compte": "/famille/compte/", "accueil": "/famille/"}


@pytest.fixture
def family(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        canteen = f.service(kind=ServiceKind.canteen, schools=[school])
        fam = f.family("Lefèvre-Dumoulin", school, children=1, username="telephone")
        kid = fam.children[0]
        to_pay = b.invoice(fam.id, [(kid.id, canteen.id, "41.50")])
        pending = b.invoice(fam.id, [(kid.id, canteen.id, "12.00")], period=dt.date(2026, 10, 1))
        db.session.add(PaymentTransaction(
            invoice_id=pending.id, family_id=fam.id, backend="dummy", reference="R-PENDING",
            amount=Decimal("12.00"), created_at=utcnow()))
        for title in ("Réservation validée : cantine du lundi 7 décembre",
                      "Une place s'est libérée pour la garderie du soir"):
            f.alert(fam, title)
        refused = f.request_row(fam, kid, "Cantine du vendredi 4 décembre (hors délai)")
        refused.state, refused.reason = RequestState.refused, "Effectif complet ce jour-là."
        refused.decided_at = utcnow()
        f.request_row(fam, kid, "Garderie du soir du mardi 8 décembre")
        f.booking(fam, kid, canteen, dt.date(2026, 12, 1))
        db.session.add(demo_documents.structure_info())
        db.session.commit()
        return {"to_pay": to_pay.id, "pending": pending.id, "family": fam.id}


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _check(page, axe_violations):
    assert _no_horizontal_scroll(page), page.url
    assert not (violations := axe_violations()), describe_violations(violations)


@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_fits_and_is_axe_clean(page, live_server, family, axe_violations,
                                         screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "telephone", f.PASSWORD)
    for name, url in PAGES.items():
        page.goto(live_server + url)
        screenshot(f"parent-{name}-{width}")
        _check(page, axe_violations)
    assert page.problems.errors == []


def test_finances_on_a_phone_shows_each_invoice_as_a_card_with_its_payer_button(
        page, live_server, family, axe_violations):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "telephone", f.PASSWORD)
    page.goto(f"{live_server}/famille/finances/")
    card = page.locator(f'tr[data-invoice="{family["to_pay"]}"]')
    text = card.inner_text()
    assert "41,50\xa0€" in text and "À payer" in text and "septembre 2026" in text
    # Each value is labelled on the card (the table's header row is hidden on a phone).
    amount = card.locator('td[data-label="Montant"]')
    assert amount.evaluate("e => getComputedStyle(e, '::before').content") == '"Montant : "'
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    button = card.get_by_role("button", name="Payer 41,50")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # on screen, not off to the right
    assert box["height"] >= 44  # a finger-sized target
    pending = page.locator(f'tr[data-invoice="{family["pending"]}"]').inner_text()
    assert "Paiement en cours" in pending or "paiement" in pending.lower()
    assert "attend la confirmation de la banque" in pending
    assert "vous pourrez payer de nouveau à partir de" in pending
    assert not page.locator(f'tr[data-invoice="{family["pending"]}"] button').count()
    _check(page, axe_violations)


def test_alerts_by_keyboard_on_a_phone(page, live_server, family, app, axe_violations):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "telephone", f.PASSWORD)
    page.goto(f"{live_server}/parentalertview/list/")
    assert "2 alertes non lues." in page.inner_text("main")
    assert page.locator("li.hist-card").count() == 2
    # Open the first alert by keyboard: it is then read.
    link = page.get_by_role("link", name="Réservation validée : cantine du lundi 7 décembre")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Reçue le" in page.inner_text("main")
    page.go_back()
    page.reload()
    assert "1 alerte non lue." in page.inner_text("main")
    button = page.get_by_role("button", name="Tout marquer comme lu")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Aucune alerte non lue." in page.inner_text("main")
    _check(page, axe_violations)
    with app.app_context():
        assert db.session.query(Alert).filter(Alert.read_at.is_(None)).count() == 0
