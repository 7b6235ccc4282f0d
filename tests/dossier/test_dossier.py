"""The yearly file (« dossier unique »): one list of what is missing, re-certification of
each section, the year's documents and the consents in force; enrolment requests for the
new year open only when the file is complete (the town's setting); staff follow
completion per school and remind the incomplete families in one action."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from app.extensions import db
from app.models import (
    Alert,
    ConsentDocument,
    ConsentVersion,
    DocumentType,
    DossierCampaign,
    Enrolment,
    FamilyDocument,
    OutgoingMail,
    SchoolYear,
)
from app.security.roles import AGENT
from tests import factories as f
from tests.accounts import samples
from tests.parent.planning_data import fixed_now, planning_town  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("fixed_now")

SECTIONS = ("contacts", "health", "authorised")


@pytest.fixture
def town(app):
    """parent0 and parent1 (one child each at Chalmel), the 2027-2028 campaign (open since
    15/11, insurance certificate required, enrolment only for complete files) and the
    règlement intérieur (required, version 1)."""
    with app.app_context():
        _school, [canteen], fams = planning_town(families=2)
        year = SchoolYear(label="2027-2028", start_date=dt.date(2027, 9, 1),
                          end_date=dt.date(2028, 7, 7), zone="B", closed_weekdays="256")
        insurance = DocumentType(code="assurance", label="Attestation d'assurance")
        reglement = ConsentDocument(code="reglement", title="Règlement intérieur",
                                    required=True)
        reglement.versions.append(ConsentVersion(number=1, effective_from=dt.date(2026, 9, 1),
                                                 text="J'ai lu le règlement."))
        campaign = DossierCampaign(school_year=year, title="Dossier 2027-2028",
                                   opens_on=dt.date(2026, 11, 15),
                                   closes_on=dt.date(2027, 1, 31), document_types=[insurance])
        db.session.add_all([year, insurance, reglement, campaign])
        db.session.commit()
        return {"school": _school.id, "campaign": campaign.id, "year": year.id,
                "insurance": insurance.id, "reglement": reglement.versions[0].id,
                "canteen": canteen.id,
                "kid": fams[0].children[0].id, "current_year": f.school_year().id}


def _enrol(client, town, year_key="year"):
    return client.post("/famille/inscription/demande", data={
        "choice": f"{town['kid']}-{town['canteen']}", "school_year": town[year_key]})


def _complete(client, town):
    for section in SECTIONS:
        assert client.post("/famille/dossier/certifier", data={
            "campaign": town["campaign"], "section": section}).status_code == 303
    sent = client.post("/famille/documents/transmettre", data={
        "document_type": town["insurance"], "file": (io.BytesIO(samples.PDF), "assurance.pdf")},
        content_type="multipart/form-data")
    assert sent.status_code == 303
    assert client.post("/famille/autorisations/repondre", data={
        "version": town["reglement"], "answer": "accept"}).status_code == 303


def _missing(client) -> list[str]:
    from lxml import html

    page = html.document_fromstring(client.get("/famille/dossier/").get_data(as_text=True))
    items = page.xpath("//*[@id='dossier-manque']//li")
    return [" ".join(li.text_content().split()) for li in items]


def test_a_family_sees_what_is_missing_in_one_list(app, client, town):
    f.login(client, "parent0")
    missing = _missing(client)
    assert len(missing) == 5
    assert missing[0].startswith("Coordonnées de la famille et des responsables : à vérifier")
    assert any(m.startswith("Attestation d'assurance : à transmettre pour 2027-2028")
               for m in missing)
    assert any(m.startswith("Règlement intérieur : version 1 à accepter") for m in missing)
    client.post("/famille/dossier/certifier", data={"campaign": town["campaign"],
                                                   "section": "health"})
    assert len(_missing(client)) == 4
    assert "Certifié le" in client.get("/famille/dossier/").get_data(as_text=True)


def test_completeness_opens_enrolment_for_the_new_year(app, client, town):
    f.login(client, "parent0")
    refused = _enrol(client, town)
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Les inscriptions 2027-2028 s&#39;ouvrent quand votre dossier annuel est complet" \
        in body
    assert "Attestation d&#39;assurance" in body
    with app.app_context():
        assert db.session.query(Enrolment).filter_by(school_year_id=town["year"]).count() == 0
    # The current year is not concerned by the 2027-2028 campaign.
    with app.app_context():
        from app.models import Service

        other = f.service(code="soir", schools=[db.session.get(Service, town["canteen"])
                                                .capacities[0].school])
        town["other_service"] = other.id
    response = client.post("/famille/inscription/demande", data={
        "choice": f"{town['kid']}-{town['other_service']}", "school_year": town["current_year"]})
    assert response.status_code in (302, 303)
    _complete(client, town)
    assert "dossier-complet" in client.get("/famille/dossier/").get_data(as_text=True)
    assert _enrol(client, town).status_code in (302, 303)
    with app.app_context():
        assert db.session.query(Enrolment).filter_by(school_year_id=town["year"]).count() == 1


def test_a_refused_document_is_missing_again(app, client, town):
    f.login(client, "parent0")
    _complete(client, town)
    with app.app_context():
        document = db.session.query(FamilyDocument).one()
        document.state = "rejected"
        db.session.commit()
    assert any("refusé par le service" in m for m in _missing(client))
    assert _enrol(client, town).status_code == 400


def test_the_town_setting_off_lets_incomplete_files_enrol(app, client, town):
    with app.app_context():
        db.session.get(DossierCampaign, town["campaign"]).enrolment_requires_complete = False
        db.session.commit()
    f.login(client, "parent0")
    assert _enrol(client, town).status_code in (302, 303)


def test_certifying_outside_the_campaign_or_another_section_is_refused(app, client, town):
    f.login(client, "parent0")
    for data in ({"campaign": town["campaign"], "section": "passwords"},
                 {"campaign": "x", "section": "health"}):
        assert client.post("/famille/dossier/certifier", data=data).status_code == 400
    with app.app_context():
        db.session.get(DossierCampaign, town["campaign"]).closes_on = dt.date(2026, 11, 20)
        db.session.commit()
    closed = client.post("/famille/dossier/certifier", data={"campaign": town["campaign"],
                                                             "section": "health"})
    assert closed.status_code == 400
    assert "pas ouverte" in closed.get_data(as_text=True)


def test_staff_follow_completion_per_school_and_remind_in_one_action(app, client, town,
                                                                    count_queries):
    f.login(client, "parent0")
    _complete(client, town)
    client.get("/logout/")
    with app.app_context():
        f.user("agent", AGENT)
    f.login(client, "agent")
    url = f"/gestion/dossiers/suivi/{town['campaign']}"
    client.get(url)
    with count_queries() as small:
        page = client.get(url).get_data(as_text=True)
    assert "<td>2</td><td>1</td><td>50 %</td>" in page
    assert "Famille Fam1" in page
    with app.app_context():
        before_mails = db.session.query(OutgoingMail).count()
    app.config["PORTAL_JOBS_INLINE"] = True  # the reminder job ends before the page answers
    try:
        reminded = client.post(f"{url}/relancer")
    finally:
        app.config["PORTAL_JOBS_INLINE"] = False
    assert reminded.status_code == 303
    assert "1 famille(s) relancée(s), 0 non relancée(s)" in client.get(
        reminded.location).get_data(as_text=True)
    with app.app_context():
        [alert] = db.session.query(Alert).filter(Alert.title.like("Dossier 2027-2028%")).all()
        assert alert.family.name == "Famille Fam1"
        assert "Attestation d'assurance" in alert.message
        assert db.session.query(OutgoingMail).count() == before_mails + 1
        from app.models import School

        school = db.session.get(School, town["school"])
        for n in range(4):  # more families: the page costs the same
            f.family(f"Plus{n}", school, children=2)
    with count_queries() as big:
        page = client.get(url).get_data(as_text=True)
    assert "<td>6</td><td>1</td><td>17 %</td>" in page
    assert big.count == small.count, (small.count, big.count)
