"""« Mon compte »: contact details change at once; the quotient familial, health and
authorised persons go to staff as requests showing old → new, applied only when staff
validate them in the request queue; the password changes with the current one."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest

from app.extensions import db
from app.models import (
    AuthorizedPerson,
    Child,
    DocumentState,
    Family,
    Guardian,
    QuotientFamilial,
    Request,
    User,
)
from app.services.account_changes.queries import describe_change
from app.services.errors import CommandError
from app.services.reservations.decide import REFUSE, VALIDATE, DecideRequests
from tests import factories as f

from . import samples
from .conftest import upload

ACCOUNT = "/famille/compte"


@pytest.fixture
def parent(app, world):
    client = app.test_client()
    f.login(client, "martin")
    return client


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _decide(app, decision: str, reason: str | None = None) -> Request:
    with app.test_request_context():
        [request] = db.session.query(Request).filter_by(state="pending").all()
        DecideRequests([request.id], decision, None, reason).run()
        return request.id


def test_the_page_shows_the_familys_data_only(app, parent, world):
    page = _page(parent.get(f"{ACCOUNT}/"))
    assert "Famille Martin" in page and "MartinEnfant0" in page and "Allergie Martin" in page
    assert "Intrus" not in page


def test_contact_details_change_at_once(app, parent, world):
    response = parent.post(f"{ACCOUNT}/coordonnees", data={
        "address": "12 rue Neuve", "postal_code": "35430", "city": "Saint-Père",
        "phone": "02 99 11 22 33", "email": "Foyer.Martin@example.org"})
    assert response.status_code == 303
    assert "Vos coordonnées sont enregistrées" in _page(parent.get(response.headers["Location"]))
    with app.app_context():
        family = db.session.get(Family, world.martin_id)
        assert (family.address, family.phone, family.email) == (
            "12 rue Neuve", "02 99 11 22 33", "foyer.martin@example.org")
        assert db.session.query(Request).count() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "appelez-moi", "n'est pas un numéro de téléphone valide"),
    ("email", "martin@", "n'est pas une adresse électronique valide"),
    ("postal_code", "35<script>", "n'est pas valide"),
])
def test_invalid_contact_details_are_refused_in_french(app, parent, world, field, value,
                                                       message):
    data = {"address": "1 rue", "postal_code": "35430", "city": "X", "phone": "", "email": "",
            field: value}
    response = parent.post(f"{ACCOUNT}/coordonnees", data=data)
    assert response.status_code == 400
    assert message in _page(response)
    with app.app_context():
        assert db.session.get(Family, world.martin_id).address != "1 rue"


def test_a_form_without_its_fields_changes_nothing(app, parent, world):
    assert parent.post(f"{ACCOUNT}/coordonnees", data={}).status_code == 400
    assert parent.post(f"{ACCOUNT}/courriels", data={}).status_code == 400
    with app.app_context():
        family = db.session.get(Family, world.martin_id)
        assert family.address and family.mail_alerts_off is None


def test_a_guardian_phone_changes_at_once_and_the_login_address_waits(app, parent, world):
    """The login's address changes only once confirmed from the new address
    (tests/accounts/test_login_takeover.py)."""
    with app.app_context():
        guardian = db.session.query(Guardian).filter_by(family_id=world.martin_id).one()
        guardian_id = guardian.id
    parent.post(f"{ACCOUNT}/responsable", data={"guardian": guardian_id, "phone_mobile":
                "06 12 34 56 78", "phone_work": "", "email": "nouveau.martin@example.org"})
    taken = parent.post(f"{ACCOUNT}/responsable", data={"guardian": guardian_id,
                        "phone_mobile": "", "phone_work": "", "email": "voisin@example.org"})
    assert "déjà utilisée par un autre compte" in _page(taken)
    with app.app_context():
        guardian = db.session.get(Guardian, guardian_id)
        assert (guardian.phone_mobile, guardian.email, guardian.user.email,
                guardian.user.username) == ("06 12 34 56 78", "martin@example.org",
                                            "martin@example.org", "martin")


def test_another_familys_guardian_or_child_is_refused(app, parent, world):
    with app.app_context():
        other = db.session.get(Family, world.voisin_id)
        guardian_id, child_id = other.guardians[0].id, other.children[0].id
    response = parent.post(f"{ACCOUNT}/responsable", data={
        "guardian": guardian_id, "phone_mobile": "0600000000", "email": "pirate@example.org"})
    assert response.status_code == 400
    response = parent.post(f"{ACCOUNT}/sante", data={"child": child_id, "diet": "vegetarian"})
    assert response.status_code == 400
    assert "pas rattaché à votre famille" in _page(response)
    with app.app_context():
        assert db.session.get(Guardian, guardian_id).email == "voisin@example.org"
        assert db.session.query(Request).count() == 0


def test_a_health_change_waits_for_staff_then_applies(app, parent, world):
    response = parent.post(f"{ACCOUNT}/sante", data={
        "child": world.child_id, "allergies": "Arachide, kiwi", "has_pai": "1",
        "pai_details": "Trousse d'urgence au bureau", "diet": "no_pork", "medical_notes": ""})
    assert response.status_code == 303
    page = _page(parent.get(f"{ACCOUNT}/"))
    assert "Demandes en attente du service" in page
    assert "Allergies : Allergie Martin → Arachide, kiwi" in page
    with app.app_context():
        child = db.session.get(Child, world.child_id)
        assert child.allergies == "Allergie Martin" and child.diet == "standard"  # not yet
        [request] = db.session.query(Request).all()
        assert request.kind == "data_change" and request.child_id == world.child_id
        assert json.loads(request.old_value)["fields"] == {
            "allergies": "Allergie Martin", "has_pai": False, "pai_details": None,
            "diet": "standard"}
        lines = {line.label: (line.old, line.new) for line in describe_change(request)}
        assert lines["Régime alimentaire"] == ("Standard", "Sans porc")

    _decide(app, VALIDATE)

    with app.app_context():
        child = db.session.get(Child, world.child_id)
        assert (child.allergies, child.has_pai, child.diet) == ("Arachide, kiwi", True, "no_pork")


def test_a_refused_change_leaves_the_data_and_a_stale_one_cannot_be_validated(
        app, parent, world):
    parent.post(f"{ACCOUNT}/sante", data={"child": world.child_id, "allergies": "Gluten",
                                          "diet": "standard"})
    _decide(app, REFUSE, "Merci de joindre le certificat du médecin")
    parent.post(f"{ACCOUNT}/sante", data={"child": world.child_id, "allergies": "Lait",
                                          "diet": "standard"})
    with app.test_request_context():
        assert db.session.get(Child, world.child_id).allergies == "Allergie Martin"
        db.session.get(Child, world.child_id).allergies = "Œuf (saisi par le service)"
        db.session.commit()
        pending = db.session.query(Request).filter_by(state="pending").one()
        with pytest.raises(CommandError, match="modifiées depuis la demande"):
            DecideRequests([pending.id], VALIDATE, None).run()


def test_authorised_persons_are_added_and_removed_by_request(app, parent, world):
    parent.post(f"{ACCOUNT}/personne", data={"child": world.child_id, "full_name": "Jeanne Roux",
                                             "relationship_label": "grand-mère",
                                             "phone": "06 00 00 00 01", "can_pick_up": "1"})
    _decide(app, VALIDATE)
    with app.app_context():
        person = db.session.query(AuthorizedPerson).filter_by(full_name="Jeanne Roux").one()
        assert (person.child_id, person.can_pick_up, person.emergency_contact) == (
            world.child_id, True, False)
        person_id = person.id
    assert "Jeanne Roux" in _page(parent.get(f"{ACCOUNT}/"))

    parent.post(f"{ACCOUNT}/personne", data={"remove": person_id})
    with app.app_context():
        assert db.session.get(AuthorizedPerson, person_id) is not None  # until staff decide
    _decide(app, VALIDATE)
    with app.app_context():
        assert db.session.get(AuthorizedPerson, person_id) is None


def test_a_new_quotient_needs_the_caf_attestation_and_applies_on_validation(app, parent, world):
    with app.app_context():
        db.session.add(QuotientFamilial(family_id=world.martin_id, value=900,
                                        valid_from=dt.date(2026, 1, 1),
                                        valid_to=dt.date(2026, 12, 31)))
        db.session.commit()
    without = parent.post(f"{ACCOUNT}/quotient", data={"value": "612"},
                          content_type="multipart/form-data")
    assert without.status_code == 400 and "Choisissez un fichier" in _page(without)

    response = parent.post(f"{ACCOUNT}/quotient", content_type="multipart/form-data", data={
        "value": "612", "valid_from": "2026-11-01",
        "attestation": upload(samples.PDF, "attestation-caf.pdf")})
    assert response.status_code == 303
    with app.app_context():
        [request] = db.session.query(Request).all()
        assert request.summary == "Quotient familial : 900 → 612"
        assert request.document.document_type.code == "attestation_qf"
        assert request.document.state == DocumentState.pending

    _decide(app, VALIDATE)

    with app.app_context():
        rows = db.session.query(QuotientFamilial).filter_by(family_id=world.martin_id) \
            .order_by(QuotientFamilial.valid_from).all()
        assert [(q.value, q.valid_from, q.valid_to) for q in rows] == [
            (900, dt.date(2026, 1, 1), dt.date(2026, 10, 31)),
            (612, dt.date(2026, 11, 1), dt.date(2027, 10, 31))]
        assert db.session.query(Request).one().document.state == DocumentState.accepted


def test_the_password_changes_only_with_the_current_one(app, parent, world):
    new = "Une-Phrase-Bien-Longue-2026"
    wrong = parent.post(f"{ACCOUNT}/mot-de-passe", data={"current": "faux", "password": new,
                                                         "confirm": new})
    assert wrong.status_code == 400 and "Le mot de passe actuel est incorrect" in _page(wrong)
    done = parent.post(f"{ACCOUNT}/mot-de-passe", data={"current": f.PASSWORD,
                                                        "password": new, "confirm": new})
    assert done.status_code == 303
    fresh = app.test_client()
    fresh.post("/login/", data={"username": "martin", "password": new})
    assert fresh.get("/famille/").status_code == 200
    with app.app_context():
        assert db.session.query(User).filter_by(username="martin").one().password != new


def test_a_refused_quotient_refuses_its_attestation_with_the_reason(app, parent, world):
    parent.post(f"{ACCOUNT}/quotient", content_type="multipart/form-data", data={
        "value": "450", "attestation": upload(samples.PDF, "attestation.pdf")})
    _decide(app, REFUSE, "Attestation de 2024, merci d'envoyer celle de cette année")
    with app.app_context():
        assert db.session.query(QuotientFamilial).count() == 0
        document = db.session.query(Request).one().document
        assert (document.state, document.reason) == (
            DocumentState.rejected, "Attestation de 2024, merci d'envoyer celle de cette année")
    page = _page(parent.get("/famille/documents/"))
    assert "Motif : Attestation de 2024" in page


def test_a_guardian_cannot_change_the_login_address_of_the_other_guardian(app, parent, world):
    """Logins are personal: the co-guardian's login address (where password links go) is
    changed by its owner only, else the other parent could take the account over."""
    with app.app_context():
        family_row = db.session.get(Family, world.martin_id)
        login = f.user("mme.martin", "Parent", email="mme.martin@example.org")
        other = Guardian(family=family_row, user_id=login.id, first_name="Anne",
                         last_name="Martin", email="mme.martin@example.org")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    response = parent.post(f"{ACCOUNT}/responsable", data={
        "guardian": other_id, "phone_mobile": "", "phone_work": "",
        "email": "pirate.martin@example.org"})
    assert "propre compte" in _page(response)
    with app.app_context():
        other = db.session.get(Guardian, other_id)
        assert other.email == other.user.email == "mme.martin@example.org"
