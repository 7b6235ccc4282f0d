"""« Mes autorisations » and « Mon dossier annuel » on a phone (375 px): no horizontal
scroll, axe-core clean; accepting the règlement unblocks the planning's banner."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import (
    ConsentDocument,
    ConsentVersion,
    DocumentType,
    DossierCampaign,
    SchoolYear,
)
from tests import factories as f

from .helpers import PageProblems, describe_violations, log_in
from .test_message_flow import PHONE, axe_violations_for

pytestmark = pytest.mark.browser


@pytest.fixture
def yearly(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        f.family("Martin", school, children=1, username="martin")
        f.school_year()
        reglement = ConsentDocument(code="reglement", title="Règlement intérieur",
                                    required=True)
        reglement.versions.append(ConsentVersion(number=2, effective_from=dt.date(2026, 9, 1),
                                                 text="J'ai lu le règlement intérieur."))
        year = SchoolYear(label="2027-2028", start_date=dt.date(2027, 9, 1),
                          end_date=dt.date(2028, 7, 7), zone="B", closed_weekdays="256")
        insurance = DocumentType(code="assurance", label="Attestation d'assurance")
        db.session.add_all([reglement, year, insurance, DossierCampaign(
            school_year=year, title="Dossier annuel 2027-2028", opens_on=dt.date(2026, 1, 1),
            closes_on=dt.date(2099, 1, 31), document_types=[insurance])])
        db.session.commit()


def test_consents_and_yearly_file_on_a_phone(browser, live_server, yearly):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    tab.problems = PageProblems(tab, live_server)
    try:
        log_in(tab, live_server, "martin", f.PASSWORD)
        tab.goto(f"{live_server}/famille/planning/")
        assert "les nouvelles réservations sont bloquées" in tab.inner_text("#pl-consents")
        tab.goto(f"{live_server}/famille/dossier/")
        missing = tab.inner_text("#dossier-manque")
        assert "Attestation d'assurance" in missing and "Règlement intérieur" in missing
        for path in ("/famille/dossier/", "/famille/autorisations/"):
            tab.goto(f"{live_server}{path}")
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
            violations = axe_violations_for(tab)()
            assert violations == [], f"{path}:\n" + describe_violations(violations)
        with tab.expect_navigation():
            tab.get_by_role("button", name="J'accepte : Règlement intérieur").click()
        assert "votre acceptation est enregistrée" in tab.inner_text("body")
        tab.goto(f"{live_server}/famille/planning/")
        assert tab.locator("#pl-consents").count() == 0
        assert tab.problems.errors == []
    finally:
        context.close()
