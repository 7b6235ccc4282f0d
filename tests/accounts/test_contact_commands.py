"""« Mon compte » contact details as commands with typed values: every problem of a form is
told at once (one CommandError, by field), French postcodes and phone numbers are checked
and stored the French way (app.services.contact_format), and nothing changes on a refusal."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import Family, Guardian
from app.services.account_changes.contact import (
    FamilyContact,
    GuardianContact,
    UpdateFamilyContact,
    UpdateGuardianContact,
)
from app.services.errors import CommandError
from tests import factories as f

ACCOUNT = "/famille/compte"


def test_every_problem_of_the_form_is_told_at_once(app, world):
    with app.app_context():
        before = db.session.get(Family, world.martin_id).address
        with pytest.raises(CommandError) as refused:
            UpdateFamilyContact(world.martin_id, FamilyContact(
                address="1 rue", postal_code="3543", city="Saint-Père", phone="12",
                email="martin@")).run()
        assert set(refused.value.fields) == {"postal_code", "phone", "email"}
        assert len(refused.value.messages) == 3
        assert db.session.get(Family, world.martin_id).address == before


def test_a_family_contact_is_stored_cleaned(app, world):
    with app.app_context():
        changed = UpdateFamilyContact(world.martin_id, FamilyContact(
            address="  12   rue Neuve ", postal_code="35 430", city="Saint-Père",
            phone="+33 2 99 11 22 33", email="Foyer@Example.org")).run()
        family = db.session.get(Family, world.martin_id)
        assert (family.address, family.postal_code, family.phone, family.email) == (
            "12 rue Neuve", "35430", "02 99 11 22 33", "foyer@example.org")
        assert {"address", "postal_code", "phone", "email"} <= set(changed)


def test_a_guardian_of_another_family_is_refused(app, world):
    with app.app_context():
        other = db.session.query(Guardian).filter_by(family_id=world.voisin_id).first()
        with pytest.raises(CommandError, match="pas rattaché à votre famille"):
            UpdateGuardianContact(world.martin_id, other.id,
                                  GuardianContact(phone_mobile="0600000000")).run()


def test_the_page_tells_every_problem_and_stores_the_normalised_phone(app, world):
    client = app.test_client()
    f.login(client, "martin")
    refused = client.post(f"{ACCOUNT}/coordonnees", data={
        "address": "1 rue", "postal_code": "354", "city": "X", "phone": "abc", "email": "x@"})
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "Le code postal « 354 » n'est pas valide" in page
    assert "n'est pas un numéro de téléphone valide" in page
    assert "n'est pas une adresse électronique valide" in page
    client.post(f"{ACCOUNT}/coordonnees", data={
        "address": "1 rue", "postal_code": "35430", "city": "X", "phone": "0299112233",
        "email": ""})
    with app.app_context():
        assert db.session.get(Family, world.martin_id).phone == "02 99 11 22 33"


def test_a_request_tells_every_problem_at_once_and_sends_nothing(app, world):
    from app.models import Request
    from app.services.account_changes.requests import Person, RequestPersonAdd

    with app.app_context():
        with pytest.raises(CommandError) as refused:
            RequestPersonAdd(world.martin_id, world.child_id, Person(
                full_name="Jeanne Roux", relationship_label="x" * 41, phone="appelez-moi"),
                None).run()
        assert set(refused.value.fields) == {"relationship_label", "phone"}
        assert db.session.query(Request).count() == 0
