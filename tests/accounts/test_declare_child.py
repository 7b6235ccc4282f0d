"""A family without children declares one (a request to staff, validated in the queue),
instead of « Aucun service n'est proposé »; phones and postcodes are checked the French way
and shown formatted."""

from __future__ import annotations

from lxml import html as lxml_html

from app.extensions import db
from app.models import Child, Family, Request, RequestState
from app.services.reservations.decide import DecideRequests
from tests import factories as f

ACCOUNT = "/famille/compte"


def _text(response) -> str:
    return " ".join(lxml_html.document_fromstring(response.get_data(as_text=True))
                    .text_content().split())


def _setup(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        fam = f.family("Nouveau", school, children=0, username="nouveau")
        return fam.id, school.id


def test_a_family_without_children_declares_one_and_staff_adds_it(app, client):
    family_id, school_id = _setup(app)
    f.login(client, "nouveau")
    enrolment = _text(client.get("/famille/inscription/"))
    assert "Aucun service n'est proposé" not in enrolment
    assert "Déclarer un enfant" in enrolment
    account = client.get(f"{ACCOUNT}/")
    assert 'id="declarer-enfant" open' in account.get_data(as_text=True)

    refused = client.post(f"{ACCOUNT}/enfant", data={
        "first_name": "", "last_name": "Nouveau", "birth_date": "31/02/2021", "school_id": ""})
    assert refused.status_code == 400
    text = _text(refused)
    assert "Indiquez le prénom de l'enfant." in text
    assert "Indiquez la date de naissance au format jj/mm/aaaa." in text
    assert "Choisissez l'école de l'enfant." in text
    with app.app_context():
        assert db.session.query(Request).count() == 0

    sent = client.post(f"{ACCOUNT}/enfant", data={
        "first_name": "Lina", "last_name": "Nouveau", "birth_date": "14/03/2021",
        "school_id": str(school_id), "class_name": "PS"})
    assert sent.status_code == 303
    page = _text(client.get(f"{ACCOUNT}/"))
    assert "Nouvel enfant à ajouter : Lina Nouveau, né(e) le 14/03/2021" in page
    assert "Date de naissance : — → 14/03/2021" in page
    assert "École : — → École Théodore Chalmel" in page
    with app.test_request_context():
        request = db.session.query(Request).one()
        DecideRequests([request.id], "validate", None).run()
        assert db.session.get(Request, request.id).state == RequestState.validated
        family = db.session.get(Family, family_id)
        (child,) = family.children
        assert (child.first_name, child.school_id, child.class_name) == ("Lina", school_id, "PS")
        assert db.session.query(Child).count() == 1


def test_phones_and_postcodes_are_checked_and_shown_the_french_way(app, client):
    family_id, _school = _setup(app)
    f.login(client, "nouveau")
    bad = client.post(f"{ACCOUNT}/coordonnees", data={
        "address": "1 rue", "postal_code": "3543", "city": "Saint-Père",
        "phone": "02 99 00", "email": ""})
    assert bad.status_code == 400
    text = _text(bad)
    assert "Le code postal doit comporter 5 chiffres" in text
    with app.app_context():
        assert db.session.get(Family, family_id).address != "1 rue"
    good = client.post(f"{ACCOUNT}/coordonnees", data={
        "address": "1 rue", "postal_code": "35 430", "city": "Saint-Père",
        "phone": "+33 2.99.00.11.22", "email": ""})
    assert good.status_code == 303
    with app.app_context():
        family = db.session.get(Family, family_id)
        assert (family.postal_code, family.phone) == ("35430", "02 99 00 11 22")
    assert 'value="02 99 00 11 22"' in client.get(f"{ACCOUNT}/").get_data(as_text=True)
