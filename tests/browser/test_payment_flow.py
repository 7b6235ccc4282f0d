"""A parent pays an invoice online in Chromium, through the app's payment sandbox (the
embedded default backend): Finances → « Payer » → the sandbox's « Payer » → back on the
portal, the invoice is paid. The sandbox notifies the app server-side, over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Invoice, InvoiceState, Payment, ServiceKind
from app.services.calendar import local_today
from tests import factories as f
from tests.payments import builders as b

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def bill(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        canteen = f.service(kind=ServiceKind.canteen, schools=[school])
        care = f.service(kind=ServiceKind.care_evening, schools=[school])
        family = f.family("Payeur", school, children=1, username="payeur")
        kid = family.children[0].id
        invoice = b.invoice(family.id, [(kid, canteen.id, "41.50"), (kid, care.id, "12.00")])
        return {"id": invoice.id, "number": invoice.number}


def _row(page, bill):
    return page.locator(f'tr[data-invoice="{bill["id"]}"]')


def _open_finances(page, live_server):
    log_in(page, live_server, "payeur", f.PASSWORD)
    page.goto(f"{live_server}/famille/finances/")


def test_parent_pays_an_invoice_through_the_sandbox(page, live_server, app, bill, screenshot):
    _open_finances(page, live_server)
    row = _row(page, bill)
    assert row.get_attribute("data-state") == "issued" and "À payer" in row.inner_text()
    screenshot("finances-a-payer")
    with page.expect_navigation():
        row.get_by_role("button", name="Payer 53,50").click()
    assert "/sandbox/pay" in page.url
    assert "53,50 €" in page.inner_text("body")
    screenshot("bac-a-sable-paiement")
    with page.expect_navigation():
        page.get_by_role("button", name="Payer", exact=True).click()
    assert page.url.endswith(f"/famille/finances/factures/{bill['id']}/retour")
    assert "Merci, votre paiement est enregistré." in page.inner_text("body")
    screenshot("paiement-retour")
    page.get_by_role("link", name="Retour à mes finances").click()
    page.wait_for_url(f"{live_server}/famille/finances/")
    assert _row(page, bill).get_attribute("data-state") == "paid"
    assert "Payée" in _row(page, bill).inner_text()
    with app.app_context():
        assert db.session.get(Invoice, bill["id"]).state == InvoiceState.paid
        payment = db.session.query(Payment).filter_by(invoice_id=bill["id"]).one()
        assert (payment.method, payment.amount) == ("card", Decimal("53.50"))
        assert payment.received_on == local_today()
    assert page.problems.errors == []


def test_refused_payment_leaves_the_invoice_payable(page, live_server, app, bill):
    _open_finances(page, live_server)
    with page.expect_navigation():
        _row(page, bill).get_by_role("button", name="Payer 53,50").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Refuser").click()
    assert "Paiement refusé." in page.inner_text("body")
    page.goto(f"{live_server}/famille/finances/")
    assert _row(page, bill).get_attribute("data-state") == "issued"
    with app.app_context():
        assert db.session.query(Payment).filter_by(invoice_id=bill["id"]).count() == 0
    assert page.problems.errors == []


def test_finances_page_has_no_serious_accessibility_violation(page, live_server, bill,
                                                              axe_violations):
    _open_finances(page, live_server)
    violations = axe_violations()
    assert violations == [], "axe-core:\n" + describe_violations(violations)
