"""A school year without surprises, in Chromium:
- an enrolment moved to January removes the December days from the parent's planning and
  from the staff attendance sheet;
- a parent abandons an online payment, staff cannot record a cheque without an override,
  the bank's late confirmation counts once; with the override, it ends as a credit that the
  next invoice consumes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Invoice, InvoiceState, Payment, ServiceKind
from app.security.roles import AGENT, MANAGER
from app.services.payments.credits import allocate_credits, credit_balance
from app.services.reservations.day import ChangeDay
from tests import factories as f
from tests.parent.planning_data import NOW, NOW_ISO, planning_town
from tests.payments import builders as b

from .helpers import PageProblems, log_in

pytestmark = pytest.mark.browser
DEC_7 = dt.date(2026, 12, 7)


def _second_page(browser, live_server, username):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page, live_server)
    log_in(page, live_server, username, f.PASSWORD)
    return context, page


def test_an_enrolment_moved_to_january_empties_december(app, browser, page, live_server,
                                                       monkeypatch, screenshot):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW_ISO)
    with app.test_request_context():
        school, [canteen], [fam] = planning_town()
        f.user("agent1", AGENT)
        kid = fam.children[0]
        for day in (DEC_7, dt.date(2026, 12, 8)):
            ChangeDay(fam.id, kid.id, canteen.id, day, "book", now=NOW).run()
        ids = {"child": kid.id, "canteen": canteen.id, "school": school.id,
               "name": kid.first_name}
    cell = (f'.pl-cell[data-child="{ids["child"]}"][data-service="{ids["canteen"]}"]'
            f'[data-date="{DEC_7.isoformat()}"]')
    log_in(page, live_server, "parent0", f.PASSWORD)
    page.goto(f"{live_server}/famille/planning/2026-12")
    assert page.locator(cell).get_attribute("data-state") == "booked"
    # The parent asks to start in January.
    page.goto(f"{live_server}/famille/inscription/")
    page.get_by_text("Demander une modification").click()
    page.locator("input[name=start_date]").fill("2027-01-04")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la demande de modification").click()
    # Staff validate it in the queue.
    context, staff = _second_page(browser, live_server, "agent1")
    try:
        staff.goto(f"{live_server}/gestion/file-des-demandes/list/")
        staff.locator("input.action_check").first.check()
        staff.get_by_role("button", name="Valider la sélection").click()
        staff.locator("#modal-confirm").get_by_text("Chaque famille recevra").wait_for()
        with staff.expect_navigation():
            staff.locator("#modal-confirm-ok").click()
        assert "1 demande validée" in staff.inner_text("body")
        staff.goto(f"{live_server}/gestion/pointage/?jour={DEC_7}&ecole={ids['school']}"
                   f"&service={ids['canteen']}")
        assert ids["name"] not in staff.locator("main").inner_text()
        assert staff.problems.errors == []
    finally:
        context.close()
    page.goto(f"{live_server}/famille/planning/2026-12")
    december = page.locator(cell)
    assert december.get_attribute("data-state") == "closed"
    assert "Hors période d'inscription" in (december.get_attribute("title") or
                                             december.inner_text())
    screenshot("planning-inscription-janvier")
    with app.app_context():
        assert db.session.query(Booking).filter_by(day=DEC_7).one().state == \
            BookingState.cancelled
    assert page.problems.errors == []


@pytest.fixture
def unpaid(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        care = f.service(kind=ServiceKind.care_evening, schools=[school])
        family = f.family("Payeur", school, children=1, username="payeur")
        f.user("gest", MANAGER)
        invoice = b.invoice(family.id, [(family.children[0].id, care.id, "53.50")])
        return {"id": invoice.id, "family": family.id, "kid": family.children[0].id,
                "care": care.id}


def _abandon_online_payment(page, live_server, bill) -> dict:
    log_in(page, live_server, "payeur", f.PASSWORD)
    page.goto(f"{live_server}/famille/finances/")
    with page.expect_navigation():
        page.locator(f'tr[data-invoice="{bill["id"]}"]').get_by_role(
            "button", name="Payer 53,50").click()
    assert "/sandbox/pay" in page.url
    fields = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    page.goto(f"{live_server}/famille/finances/")  # the parent leaves the payment page
    return fields


def _record_cheque(staff, live_server, bill, override: str | None = None):
    staff.goto(f"{live_server}/gestion/comptes-familles/{bill['family']}")
    assert "Paiement en ligne en cours" in staff.inner_text("body")
    staff.fill("#pay-amount", "53,50")
    staff.select_option("#pay-method", "cheque")
    if override:
        staff.fill("#pay-override", override)
    with staff.expect_navigation():
        staff.get_by_role("button", name="Enregistrer le règlement").click()


def test_abandoned_online_payment_cheque_refused_late_confirmation_counts_once(
        app, browser, page, live_server, unpaid, screenshot_dir):
    fields = _abandon_online_payment(page, live_server, unpaid)
    context, staff = _second_page(browser, live_server, "gest")
    try:
        _record_cheque(staff, live_server, unpaid)
        assert "attend la confirmation de la banque" in staff.inner_text("body")
        staff.screenshot(path=str(screenshot_dir / "cheque-refuse.png"), full_page=True)
    finally:
        context.close()
    assert b.notify(app, app.test_client(), fields, "ok").status_code == 200
    page.goto(f"{live_server}/famille/finances/")
    row = page.locator(f'tr[data-invoice="{unpaid["id"]}"]')
    assert row.get_attribute("data-state") == "paid"
    assert "Avoir de trop-perçu" not in page.inner_text("body")
    with app.app_context():
        payments = db.session.query(Payment).filter_by(invoice_id=unpaid["id"]).all()
        assert [(p.method, p.amount) for p in payments] == [("card", Decimal("53.50"))]
        assert credit_balance(unpaid["family"]) == Decimal("0.00")
    assert page.problems.errors == []


def test_with_the_override_the_late_confirmation_is_a_credit_the_next_invoice_consumes(
        app, browser, page, live_server, unpaid, screenshot):
    fields = _abandon_online_payment(page, live_server, unpaid)
    context, staff = _second_page(browser, live_server, "gest")
    try:
        _record_cheque(staff, live_server, unpaid, "Chèque remis au guichet par la famille")
        assert "Règlement de 53,50" in staff.inner_text("body")
        assert b.notify(app, app.test_client(), fields, "ok").status_code == 200
        staff.reload()
        assert "Avoir disponible : 53,50" in " ".join(staff.inner_text("body").split())
    finally:
        context.close()
    page.goto(f"{live_server}/famille/finances/")
    assert "Avoir de trop-perçu : 53,50" in " ".join(page.inner_text("body").split())
    screenshot("finances-avoir")
    with app.app_context():  # the next month's invoice, as the billing run issues it
        nxt = b.invoice(unpaid["family"], [(unpaid["kid"], unpaid["care"], "20.00")],
                        period=dt.date(2026, 10, 1))
        allocate_credits([nxt], dt.date(2026, 11, 2))
        db.session.commit()
        nxt_id = nxt.id
    page.goto(f"{live_server}/famille/finances/")
    assert page.locator(f'tr[data-invoice="{nxt_id}"]').get_attribute("data-state") == "paid"
    assert "Avoir de trop-perçu : 33,50" in " ".join(page.inner_text("body").split())
    with app.app_context():
        assert db.session.get(Invoice, nxt_id).state == InvoiceState.paid
        assert credit_balance(unpaid["family"]) == Decimal("33.50")
    assert page.problems.errors == []
