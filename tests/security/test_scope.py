"""One family scope (app.security.scope): children_of, owned, and how a guardian of two
families (separated parents) sees each parent page — side by side, or with the switch,
never silently the first household."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Child, Guardian, Invoice
from app.security import scope
from app.security.scope import children_of, owned
from tests import factories as f


@pytest.fixture
def households(app, monkeypatch):
    """`claire` is a guardian of two families (Avant, Ensemble); `autre` of a third.

    The schema has one guardian row per login today (guardian.user_id is unique), so the
    second household is given to her through the scope's one lookup, `family_ids_of`: the
    pages and the switch only ever ask the scope."""
    with app.app_context():
        school = f.school()
        first = f.family("Avant", school, children=1, username="claire")
        second = f.family("Ensemble", school, children=2)
        claire = db.session.query(Guardian).filter_by(family_id=first.id).one()
        other = f.family("Autre", school, children=1, username="autre")
        f.invoice(other, other.children[0], f.service(schools=[school]))
        ids = {"first": first.id, "second": second.id, "other": other.id,
               "user_id": claire.user_id}
    real = scope.family_ids_of

    def two_households(user):
        found = real(user)
        if getattr(user, "id", None) == ids["user_id"]:
            found = sorted({*found, ids["second"]})
        return found

    monkeypatch.setattr(scope, "family_ids_of", two_households)
    return ids


def test_children_of_and_owned_stay_inside_the_families(app, households):
    with app.test_request_context():
        user = app.appbuilder.sm.get_user_by_id(households["user_id"])
        assert scope.family_ids_of(user) == sorted([households["first"], households["second"]])
        names = [c.first_name for c in children_of(user)]
        assert names == ["AvantEnfant0", "EnsembleEnfant0", "EnsembleEnfant1"]
        other_child = db.session.query(Child).filter_by(last_name="Autre").one()
        mine = db.session.query(Child).filter_by(last_name="Avant").one()
        ids = scope.family_ids_of(user)
        assert owned(Child, mine.id, ids) is mine
        assert owned(Child, other_child.id, ids) is None
        assert owned(Child, "not a number", ids) is None
        other_invoice = db.session.query(Invoice).one()
        assert owned(Invoice, other_invoice.id, ids) is None
        assert owned(Invoice, other_invoice.id, [households["other"]]) is other_invoice


def test_a_guardian_of_two_families_switches_household(app, client, households):
    f.login(client, "claire")
    page = client.get("/famille/compte/").get_data(as_text=True)
    assert "Vous consultez le foyer" in page  # the page says which household it shows
    assert "Famille Avant" in page and "Famille Ensemble" in page
    assert "EnsembleEnfant1" not in page  # one household at a time, the first by default
    switched = client.post("/famille/foyer/", data={
        "family": households["second"], "next": "/famille/compte/"})
    assert switched.status_code == 303 and switched.location.endswith("/famille/compte/")
    page = client.get("/famille/compte/").get_data(as_text=True)
    assert "EnsembleEnfant1" in page and "AvantEnfant0" not in page


def test_the_switch_refuses_another_familys_household(app, client, households):
    f.login(client, "claire")
    refused = client.post("/famille/foyer/", data={
        "family": households["other"], "next": "//evil.example/"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.location.endswith("/famille/")
    page = client.get("/famille/compte/").get_data(as_text=True)
    assert "AutreEnfant0" not in page and "AvantEnfant0" in page


def test_side_by_side_pages_show_both_households_and_no_switch(app, client, households):
    f.login(client, "claire")
    finances = client.get("/famille/finances/").get_data(as_text=True)
    assert "Compte Famille Avant" in finances and "Compte Famille Ensemble" in finances
    assert "Vous consultez le foyer" not in finances


def test_a_guardian_of_one_family_sees_no_switch(app, client, households):
    f.login(client, "autre")
    assert "Vous consultez le foyer" not in client.get("/famille/compte/").get_data(as_text=True)
