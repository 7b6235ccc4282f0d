"""Back-office forms: what staff type is saved the French way, checked, and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import AuditLog, Child, Enrolment, Family, Payment, Service
from tests import factories as f
from tests.views import builders as b


@pytest.fixture
def town(app):
    with app.app_context():
        ref = b.town(2)
        f.user("agent1", "Agent")
        f.user("admin1", "Admin")
        return {
            "families": [fam.id for fam in ref["families"]],
            "children": [[kid.id for kid in fam.children] for fam in ref["families"]],
            "school": ref["schools"][0].id,
            "service": ref["services"][0].id,
            "year": ref["year"].id,
        }


def _family_form(app, family_id: int, **changes) -> dict:
    with app.app_context():
        fam = db.session.get(Family, family_id)
        data = {"account_code": fam.account_code, "name": fam.name, "address": fam.address or "",
                "postal_code": fam.postal_code or "", "city": fam.city or "",
                "phone": fam.phone or "", "email": fam.email or "", "notes": fam.notes or "",
                "active": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_staff_edit_through_the_form_is_audited(app, client, town):
    family_id = town["families"][0]
    f.login(client, "agent1")
    response = client.post(f"/gestion/familles/edit/{family_id}",
                           data=_family_form(app, family_id, phone="0611223344"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Family, family_id).phone == "0611223344"
        entry = db.session.query(AuditLog).filter_by(
            table_name="family", action="update", object_id=str(family_id), username="agent1"
        ).one()
        assert entry.user_id is not None
        assert '"phone": ["0299000000", "0611223344"]' in entry.changes
    client.get("/logout/")
    f.login(client, "admin1")
    journal = client.get("/gestion/journal/list/?_flt_0_username=agent1").get_data(as_text=True)
    assert "Modification" in journal and "Famille (family)" in journal


def test_an_unchecked_box_saves_no(app, client, town):
    """FAB makes a required boolean refuse an unchecked box; ours saves False."""
    family_id = town["families"][0]
    f.login(client, "agent1")
    response = client.post(f"/gestion/familles/edit/{family_id}",
                           data=_family_form(app, family_id, active=None))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Family, family_id).active is False


def test_child_added_from_the_family_tab_belongs_to_that_family(app, client, town):
    family_id = town["families"][1]
    f.login(client, "agent1")
    url = f"/gestion/enfants/add?_flt_0_families={family_id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={
        "last_name": "Nouveau", "first_name": "Léa", "birth_date": "2020-05-04",
        "school": str(town["school"]), "class_name": "GS", "diet": "vegetarian",
    })
    assert response.status_code == 302
    with app.app_context():
        kid = db.session.query(Child).filter_by(first_name="Léa").one()
        assert [fam.id for fam in kid.families] == [family_id]
        assert kid.diet == "vegetarian" and kid.has_pai is False
    page = client.get(f"/gestion/familles/show/{family_id}").get_data(as_text=True)
    assert "Nouveau" in page and "Léa" in page


def test_a_child_without_family_is_refused(app, client, town):
    f.login(client, "agent1")
    response = client.post("/gestion/enfants/add", data={
        "last_name": "Orphelin", "first_name": "Max", "birth_date": "2020-05-04",
        "school": str(town["school"]), "diet": "standard",
    }, follow_redirects=True)
    assert "au moins une famille" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Child).filter_by(first_name="Max").count() == 0


def test_enrolment_of_another_familys_child_is_refused(app, client, town):
    f.login(client, "agent1")
    with app.app_context():
        before = db.session.query(Enrolment).count()
    response = client.post("/gestion/inscriptions/add", data={
        "family": str(town["families"][0]), "child": str(town["children"][1][0]),
        "service": str(town["service"]), "school": str(town["school"]),
        "school_year": str(town["year"]), "state": "validated",
    }, follow_redirects=True)
    assert "pas rattaché à cette famille" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Enrolment).count() == before


def test_payment_amount_typed_with_a_comma(app, client, town):
    family_id = town["families"][0]
    f.login(client, "agent1")
    response = client.post("/gestion/reglements/add", data={
        "family": str(family_id), "invoice": "1", "amount": "12,50", "method": "cash",
        "received_on": "2026-10-20", "reference": "Caisse",
    })
    assert response.status_code == 302
    with app.app_context():
        payment = db.session.query(Payment).filter_by(reference="Caisse").one()
        assert payment.amount == Decimal("12.50")
        assert payment.method == "cash"
        assert payment.recorded_by_id is not None
    listing = client.get("/gestion/reglements/list/").get_data(as_text=True)
    assert "Espèces" in listing and "12,50" in listing


def test_payment_on_another_familys_invoice_is_refused(app, client, town):
    f.login(client, "agent1")
    with app.app_context():
        other_invoice = db.session.query(Payment).filter(
            Payment.family_id == town["families"][1]).first().invoice_id
    response = client.post("/gestion/reglements/add", data={
        "family": str(town["families"][0]), "invoice": str(other_invoice), "amount": "5",
        "method": "cheque", "received_on": "2026-10-20", "reference": "Erreur",
    }, follow_redirects=True)
    assert "pas celle de cette famille" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Payment).filter_by(reference="Erreur").count() == 0


def test_service_with_deadline_times(app, client, town):
    f.login(client, "admin1")
    response = client.post("/gestion/services/add", data={
        "code": "mercredi", "name": "Accueil du mercredi", "kind": "care_other",
        "description": "", "is_childcare": "y", "active": "y",
        "booking_deadline_kind": "weekday_previous_week", "booking_deadline_value": "3",
        "booking_deadline_time": "12:00", "cancel_deadline_kind": "days_before",
        "cancel_deadline_value": "0", "cancel_deadline_time": "09:30",
    })
    assert response.status_code == 302
    with app.app_context():
        svc = db.session.query(Service).filter_by(code="mercredi").one()
        assert svc.booking_deadline_time.strftime("%H:%M") == "12:00"
        assert svc.cancel_deadline_time.strftime("%H:%M") == "09:30"
        assert svc.cancel_deadline_value == 0 and svc.manual_validation is False
        service_id = svc.id
    page = client.get(f"/gestion/services/show/{service_id}").get_data(as_text=True)
    assert "Jour W de la semaine précédente" in page and "12:00" in page


def test_sepa_mandate_iban_is_checked_and_normalised(app, client, town):
    f.login(client, "admin1")
    form = {"family": str(town["families"][0]), "rum": "RUM-NEW-1", "holder_name": "Dupont",
            "bic": "agrifrpp", "signed_on": "2026-09-01", "sequence_type": "FRST",
            "active": "y"}
    refused = client.post("/gestion/mandats-sepa/add",
                          data={**form, "iban": "FR76 3000 6000 0112 3456 7890 188"},
                          follow_redirects=True)
    assert "IBAN invalide" in refused.get_data(as_text=True)
    accepted = client.post("/gestion/mandats-sepa/add",
                           data={**form, "iban": "fr76 3000 6000 0112 3456 7890 189"})
    assert accepted.status_code == 302
    with app.app_context():
        from app.models import SepaMandate

        mandate = db.session.query(SepaMandate).filter_by(rum="RUM-NEW-1").one()
        assert (mandate.iban, mandate.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
