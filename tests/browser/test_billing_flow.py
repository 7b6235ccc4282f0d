"""« Facturation » in Chromium: a manager previews September, confirms, watches the run's
progress bar while it runs in the background, then reads its report."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.security.roles import MANAGER
from app.services.billing import run as billing_run
from tests import factories as f
from tests.billing.builders import SEPTEMBER, book, family, school_days, set_qf, town

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser
DAYS = school_days(SEPTEMBER)


def test_a_manager_previews_and_runs_a_billing_with_its_progress_bar(
        app, page, live_server, monkeypatch, screenshot, axe_violations):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-10-01T09:00:00")
    monkeypatch.setitem(app.config, "PORTAL_JOBS_INLINE", False)  # a thread, as without Redis
    with app.app_context():
        t = town()
        for name in ("Alpha", "Beta", "Gamma"):
            fam = family(name, t)
            set_qf(fam, 800)
            book(fam, fam.children[0], t.canteen, DAYS[:4])
        f.user("gestionnaire", MANAGER)
        db.session.commit()
    # The run waits at its first chunk until the test has seen it underway.
    gate, started = threading.Event(), threading.Event()
    issue = billing_run.issue_chunk

    def gated(*args, **kwargs):
        started.set()
        gate.wait(20)
        return issue(*args, **kwargs)

    monkeypatch.setattr(billing_run, "issue_chunk", gated)
    log_in(page, live_server, "gestionnaire", f.PASSWORD)
    page.goto(f"{live_server}/gestion/facturation/")
    page.get_by_label("Mois à facturer").select_option("2026-09")
    with page.expect_navigation():
        page.get_by_role("button", name="Prévisualiser").click()
    assert page.locator('[data-preview="invoices"]').inner_text() == "3"
    assert "49,80" in page.locator('[data-preview="total"]').inner_text()  # 3 × 4 × 4,15
    assert page.get_by_role("row", name="École Théodore Chalmel Restaurant scolaire").count()
    assert axe_violations() == []
    screenshot("billing-preview-1280")
    try:
        with page.expect_navigation():
            page.get_by_role("button", name="Confirmer et facturer 3 familles").click()
        assert started.wait(10)
        bar = page.locator("progress[id^=job-progress-]")
        assert "Facturation lancée pour septembre 2026" in page.inner_text("body")
        assert page.locator('[data-job-field="state"]').inner_text() in ("En cours",
                                                                         "En file d'attente")
        page.get_by_text("0 sur 3 (0 %)").wait_for()
        assert bar.get_attribute("max") == "3" and bar.get_attribute("value") == "0"
        found = axe_violations()
        assert found == [], describe_violations(found)
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot("billing-running-375")
        page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        gate.set()
    # The page follows the job and shows its report once it is over.
    page.get_by_text("Compte rendu :").wait_for(timeout=20_000)
    report = page.locator('[data-job-field="report"]').inner_text()
    assert "Septembre 2026 : 3 factures créées, total 49,80" in report
    assert "Numéros FAC-2026-000001 à FAC-2026-000003" in report
    assert page.locator("progress[id^=job-progress-]").get_attribute("value") == "3"
    assert page.get_by_text("3 sur 3 (100 %)").count() == 1
    screenshot("billing-report-1280")
    assert page.problems.errors == []
