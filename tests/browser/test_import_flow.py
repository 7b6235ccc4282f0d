"""A manager imports a file from the previous system in Chromium: upload, map the columns
(the file's own headers), see the check, run the import and watch its progress bar end
with the report; then mailings and state report pages open axe-clean."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Family, Guardian
from app.security.roles import MANAGER
from tests import factories as f
from tests.imports.builders import HEADER, MAPPING, csv_bytes, row

from .helpers import describe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(app):
    with app.app_context():
        f.school("École Théodore Chalmel")
        f.school_year()
        f.user("gestionnaire", MANAGER)
    app.config["PORTAL_FIXED_NOW"] = "2026-11-15T09:00:00"
    yield
    app.config["PORTAL_FIXED_NOW"] = None


def test_a_manager_imports_a_file_with_a_mapping(app, page, live_server, screenshot,
                                                 axe_violations, tmp_path, manager):
    path = tmp_path / "export-ancien-logiciel.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(1, 6)]))
    log_in(page, live_server, "gestionnaire", f.PASSWORD)
    page.goto(f"{live_server}/gestion/import/")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Déposer le fichier").click()
    page.wait_for_url("**/colonnes")
    # The file's headers are not the default ones: the manager maps each column.
    for field, header in MAPPING.items():
        page.select_option(f"#map_{field}", header)
    assert page.locator("#map_g1_email option").all_inner_texts()[1:] == HEADER
    screenshot("import-colonnes")
    assert axe_violations() == [], describe_violations(axe_violations())
    page.get_by_role("button", name="Vérifier le fichier (rien n'est importé)").click()
    assert "Aucune ligne refusée" in page.inner_text("main")
    assert "foyers : 5" in page.inner_text("#import-preview")
    page.get_by_role("button", name="Lancer l'import").click()
    page.wait_for_selector("text=Import terminé", timeout=60000)
    progress = page.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "5"
    screenshot("import-termine")
    assert axe_violations() == [], describe_violations(axe_violations())
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("import-termine-375")
    with app.app_context():
        assert db.session.query(Family).count() == 5
        assert db.session.query(Guardian).filter(Guardian.user_id.isnot(None)).count() == 0
    page.get_by_role("button", name="Inviter tous les responsables importés").click()
    assert "5 invitation(s) envoyée(s)." in page.inner_text("main")
    assert page.problems.errors == []


def test_mailing_and_state_report_pages_are_axe_clean(page, live_server, screenshot,
                                                      axe_violations, manager):
    log_in(page, live_server, "gestionnaire", f.PASSWORD)
    for path, name in (("/gestion/publipostage/", "publipostage"),
                       ("/gestion/rapports-etat/caf", "rapport-caf"),
                       ("/gestion/rapports-etat/cantine", "rapport-cantine")):
        page.goto(f"{live_server}{path}")
        screenshot(name)
        assert axe_violations() == [], describe_violations(axe_violations())
    assert page.problems.errors == []
