"""The back office as agents use it every day, in Chromium: the pointage on a phone (375 px:
no horizontal scroll, flags and choices visible, 44 px touch targets, « Tous présents » then
the exceptions, axe-clean), and a data-change request read as a French diff with the
family's file previewed beside the decision."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.models import Attendance, Booking, Request, RequestKind
from app.security.roles import AGENT
from tests import factories as f
from tests.reservations.builders import NOW, town

from .helpers import PageProblems, describe_violations, log_in

pytestmark = pytest.mark.browser
TODAY = NOW.date()


@pytest.fixture
def sheet_town(app, monkeypatch):
    """Three children booked at the canteen today; the first has a PAI and allergies."""
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
    with app.app_context():
        school, canteen, fams = town(families=3)
        kid = fams[0].children[0]
        kid.has_pai, kid.pai_details = True, "Trousse d'urgence dans le bureau"
        kid.allergies = "Arachide, fruits à coque"
        for fam in fams:
            f.booking(fam, fam.children[0], canteen, TODAY)
        f.user("agent1", AGENT)
        db.session.commit()
        return {"school": school.id, "canteen": canteen.id,
                "children": [fam.children[0].id for fam in fams]}


def _phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740},
                                  has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.problems = PageProblems(tab, live_server)
    return context, tab


def _axe(page, axe_js) -> list[dict]:
    page.evaluate(axe_js + "\n;window.axe = axe;")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def test_pointage_on_a_phone(app, browser, live_server, sheet_town, screenshot_dir):
    from .conftest import AXE_JS

    ids = sheet_town
    context, page = _phone(browser, live_server)
    try:
        log_in(page, live_server, "agent1", f.PASSWORD)
        page.goto(f"{live_server}/gestion/pointage/?jour={TODAY.isoformat()}"
                  f"&ecole={ids['school']}&service={ids['canteen']}")
        page.screenshot(path=str(screenshot_dir / "pointage-375.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        first = page.locator("tr[data-booking] >> nth=0")
        for flag in (first.locator(".attendance-pai"), first.locator(".attendance-allergy")):
            box = flag.bounding_box()
            assert flag.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert "Arachide, fruits à coque" in first.inner_text()
        choices = page.locator("label.attendance-choice")
        assert choices.count() == 9
        for i in range(choices.count()):
            box = choices.nth(i).bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, choices.nth(i).inner_text()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, choices.nth(i).inner_text()

        page.get_by_role("button", name="Tous présents").click()
        assert page.locator("input.att-present:checked").count() == 3
        second = page.locator("tr[data-booking] >> nth=1")
        second.get_by_text("Absent excusé").click()  # the exception, by tapping its label
        violations = _axe(page, AXE_JS.read_text(encoding="utf-8"))
        assert violations == [], describe_violations(violations)
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le pointage").click()
        assert "Pointage enregistré (3 enfants modifiés)." in page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.problems.errors == []
    finally:
        context.close()
    with app.app_context():
        marks = {b.child_id: b.attendance for b in db.session.query(Booking)}
        assert [marks[c] for c in ids["children"]] == [
            Attendance.present, Attendance.absent_excused, Attendance.present]


def test_a_data_change_reads_as_a_french_diff(app, page, live_server, sheet_town,
                                               screenshot, axe_violations):
    with app.app_context():
        booking = db.session.query(Booking).first()
        kid = booking.child
        row = Request(family_id=booking.family_id,
                      child_id=kid.id, kind=RequestKind.data_change,
                      summary=f"Santé et alimentation de {kid.first_name}",
                      old_value=json.dumps({"target": "child", "id": kid.id, "fields": {
                          "diet": "standard", "allergies": "Arachide"}}),
                      new_value=json.dumps({"target": "child", "id": kid.id, "fields": {
                          "diet": "no_pork", "allergies": "Arachide, fruits à coque"}}))
        db.session.add(row)
        db.session.commit()
        pk = row.id
    log_in(page, live_server, "agent1", f.PASSWORD)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/gestion/file-des-demandes/show/{pk}")
        screenshot(f"demande-diff-{width}")
        changes = page.locator(".request-changes li").all_inner_texts()
        assert changes == ["Régime alimentaire : Standard → Sans porc",
                           "Allergies : Arachide → Arachide, fruits à coque"]
        assert '"target"' not in page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        violations = axe_violations()
        assert violations == [], describe_violations(violations)
    assert page.problems.errors == []
