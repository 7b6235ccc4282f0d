"""Inscription through HTTP: the family's enrolments per child with their state, a request
for a new one (only services offered at the child's school), change and cancellation
requests of a validated one; another family's children and enrolments are refused."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Enrolment, EnrolmentState, Request, RequestKind, RequestState
from tests import factories as f

from .planning_data import (
    doc,
    fixed_now,  # noqa: F401  (the fixture, used below)
    planning_town,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

PAGE = "/famille/inscription/"


def _setup(app):
    """Fam0 (parent0): one child with a validated canteen enrolment; a care service offered
    at the school, and one offered only at another school; Fam1 is the neighbour."""
    with app.app_context():
        school, [canteen], [fam, other] = planning_town(families=2)
        care = f.service(code="soir", schools=[school])
        care.name = "Accueil du soir"
        elsewhere = f.service(code="ailleurs", schools=[f.school("École Sainte-Thérèse")])
        elsewhere.name = "Garderie Sainte-Thérèse"
        db.session.commit()
        enrolment = db.session.query(Enrolment).filter_by(family_id=fam.id).one()
        other_enrolment = db.session.query(Enrolment).filter_by(family_id=other.id).one()
        return {
            "kid": fam.children[0].id,
            "other_kid": other.children[0].id,
            "canteen": canteen.id,
            "care": care.id,
            "elsewhere": elsewhere.id,
            "year": enrolment.school_year_id,
            "enrolment": enrolment.id,
            "other_enrolment": other_enrolment.id,
        }


def _requests(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.query(Request).order_by(Request.id)
        return [(r.family_id, r.kind, r.enrolment_id, r.state) for r in rows]


def test_page_lists_enrolments_per_child_with_their_state(app, client):
    ids = _setup(app)
    f.login(client, "parent0")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = doc(response)
    row = page.xpath(f"//tr[@data-enrolment='{ids['enrolment']}']")[0]
    assert row.get("data-state") == "validated"
    assert "Validée" in row.text_content() and "2026-2027" in row.text_content()
    assert "Demander une modification" in row.text_content()
    assert "Demander l'annulation" in row.text_content()
    options = page.xpath("//select[@name='choice']//option")
    values = {o.get("value") for o in options}
    assert values == {f"{ids['kid']}-{ids['canteen']}", f"{ids['kid']}-{ids['care']}"}
    assert "Garderie Sainte-Thérèse" not in response.get_data(as_text=True)
    assert "Fam1" not in page.text_content()
    assert not page.xpath(f"//tr[@data-enrolment='{ids['other_enrolment']}']")


def test_request_an_enrolment(app, client):
    ids = _setup(app)
    f.login(client, "parent0")
    response = client.post(f"{PAGE}demande", data={
        "choice": f"{ids['kid']}-{ids['care']}", "school_year": ids["year"],
        "comment": "Les lundis et jeudis"})
    assert response.status_code == 303
    page = client.get(PAGE)
    assert "Votre demande d'inscription est envoyée" in doc(page).text_content()
    with app.app_context():
        new = db.session.query(Enrolment).filter_by(service_id=ids["care"]).one()
        assert new.state == EnrolmentState.pending and new.comment == "Les lundis et jeudis"
        new_id = new.id
    row = doc(page).xpath(f"//tr[@data-enrolment='{new_id}']")[0]
    assert "En attente" in row.text_content()
    assert "Demande en cours d'étude" in row.text_content()
    assert _requests(app)[-1][1:] == (RequestKind.enrolment, new_id, RequestState.pending)


def test_bad_enrolment_requests_are_refused_in_french(app, client):
    ids = _setup(app)
    f.login(client, "parent0")
    cases = [
        ({"choice": f"{ids['kid']}-{ids['elsewhere']}", "school_year": ids["year"]},
         "Ce service n'est pas proposé dans l'école de l'enfant."),
        ({"choice": f"{ids['other_kid']}-{ids['care']}", "school_year": ids["year"]},
         "Enfant inconnu."),
        ({"choice": f"{ids['kid']}-{ids['canteen']}", "school_year": ids["year"]},
         "Une inscription existe déjà pour cet enfant et ce service."),
        ({"choice": "abc", "school_year": "x"}, "Année scolaire inconnue."),
    ]
    for data, message in cases:
        response = client.post(f"{PAGE}demande", data=data)
        assert response.status_code == 400, data
        assert message in doc(response).text_content(), data
    assert _requests(app) == []
    with app.app_context():
        assert db.session.query(Enrolment).count() == 2


def test_change_and_cancellation_requests_of_a_validated_enrolment(app, client):
    ids = _setup(app)
    f.login(client, "parent0")
    change = client.post(f"{PAGE}modification", data={
        "enrolment": ids["enrolment"], "start_date": "2027-01-04", "comment": "Plus le vendredi"})
    assert change.status_code == 303
    assert _requests(app) == [
        (_fam(app, ids), RequestKind.enrolment_change, ids["enrolment"], RequestState.pending)]
    page = doc(client.get(PAGE))
    row = page.xpath(f"//tr[@data-enrolment='{ids['enrolment']}']")[0]
    assert "En attente du service : modification d'inscription" in row.text_content()
    assert not row.xpath(".//form")
    again = client.post(f"{PAGE}annulation", data={"enrolment": ids["enrolment"]})
    assert again.status_code == 400
    assert "Une demande est déjà en cours pour cette inscription." in doc(again).text_content()
    with app.app_context():
        db.session.query(Request).update({"state": RequestState.refused})
        db.session.commit()
    cancel = client.post(f"{PAGE}annulation", data={"enrolment": ids["enrolment"]})
    assert cancel.status_code == 303
    assert _requests(app)[-1][1:] == (
        RequestKind.enrolment_cancel, ids["enrolment"], RequestState.pending)
    with app.app_context():  # staff decide: the enrolment itself is unchanged until then
        assert db.session.get(Enrolment, ids["enrolment"]).state == EnrolmentState.validated


def test_another_familys_enrolment_cannot_be_changed_or_cancelled(app, client):
    ids = _setup(app)
    f.login(client, "parent0")
    for url, data in ((f"{PAGE}modification", {"comment": "PIRATE"}),
                      (f"{PAGE}annulation", {})):
        for enrolment in (ids["other_enrolment"], "abc", ""):
            response = client.post(url, data={**data, "enrolment": enrolment})
            assert response.status_code == 400, (url, enrolment)
            assert "Inscription inconnue." in response.get_data(as_text=True)
    empty = client.post(f"{PAGE}modification", data={"enrolment": ids["enrolment"]})
    assert "Indiquez ce qui change." in empty.get_data(as_text=True)
    assert _requests(app) == []


def test_menu_has_planning_first_then_inscriptions(app, client):
    _setup(app)
    f.login(client, "parent0")
    page = doc(client.get(PAGE))
    menu = [a.get("href") for a in page.xpath("//nav//ul[contains(@class,'dropdown-menu')]//a")]
    planning, enrolments = menu.index("/famille/planning/"), menu.index(PAGE)
    assert enrolments == planning + 1
    assert menu.index("/parentbookingview/list/") > enrolments


def _fam(app, ids) -> int:
    with app.app_context():
        return db.session.get(Enrolment, ids["enrolment"]).family_id
