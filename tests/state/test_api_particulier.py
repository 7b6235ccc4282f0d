"""API Particulier « quotient familial CAF & MSA » against the stand-in: consent, reading by
the parent and by staff, the bracket of the next invoice, refusals and errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
import requests

from app.extensions import db
from app.models import Invoice, InvoiceLine, QfConsent, QfFetch, QuotientFamilial
from app.services.api_particulier import (
    Allocataire,
    ApiParticulierClient,
    ApiParticulierError,
    ApiSettings,
)
from app.services.api_particulier.commands import FetchQuotient
from app.services.billing.run import bill_month
from app.services.errors import CommandError
from tests import factories as f
from tests.billing.builders import book, school_days, town
from tests.standins import API_TOKEN, SIRET, api_calls

from .builders import CLAIRE_CONSENT, claire, consent, guardian_family

pytestmark = pytest.mark.usefixtures("api_on")
PAGE = "/famille/compte/quotient-caf/"
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _give_consent(client, **changes):
    return client.post(PAGE + "accord", data={**CLAIRE_CONSENT, **changes})


def _fetch(client):
    return client.post(PAGE + "consulter", data={"fetch": "1"})


def _unit_prices(family_id: int, month: dt.date) -> set[Decimal]:
    invoice = db.session.query(Invoice).filter_by(family_id=family_id, period_start=month).one()
    return {line.unit_price for line in db.session.query(InvoiceLine).filter_by(
        invoice_id=invoice.id)}


def test_a_consenting_family_reads_its_qf_and_the_next_invoice_uses_its_bracket(
        app, client, api_server):
    with app.app_context():
        t = town()
        fam = claire(t.school)
        family_id = fam.id
        book(fam, fam.children[0], t.canteen, school_days(OCTOBER)[:3])
        book(fam, fam.children[0], t.canteen, school_days(NOVEMBER)[:4])
        bill_month(OCTOBER, dt.date(2026, 11, 2), notify=False)  # before: no QF, top bracket
    f.login(client, "claire.martin")
    assert _give_consent(client).status_code == 303
    response = _fetch(client)
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "Quotient familial 620 (CAF) enregistré" in page
    assert "partir de la facture de 11/2026" in page
    with app.app_context():
        quotient = db.session.query(QuotientFamilial).one()
        assert (quotient.value, quotient.provider) == (620, "CAF")
        assert quotient.reference_month == dt.date(2026, 8, 1)
        assert (quotient.valid_from, quotient.valid_to) == (NOVEMBER, dt.date(2027, 8, 31))
        assert "API Particulier" in quotient.source
        fetch = db.session.query(QfFetch).one()
        assert (fetch.outcome, fetch.origin, fetch.quotient_id) == ("found", "parent",
                                                                    quotient.id)
        bill_month(NOVEMBER, dt.date(2026, 12, 1), notify=False)
        assert _unit_prices(family_id, OCTOBER) == {Decimal("5.10")}  # issued: unchanged
        assert _unit_prices(family_id, NOVEMBER) == {Decimal("4.15")}  # QF 601–1000
    call = api_calls(api_server)[-1]
    assert call == {"nomNaissance": "MARTIN", "recipient": SIRET, "authorized": True}


def test_the_consent_records_who_when_and_the_purpose(app, client):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    _give_consent(client)
    with app.app_context():
        row = db.session.query(QfConsent).one()
        assert row.guardian.first_name == "Claire" and row.given_by.username == "claire.martin"
        assert row.given_at is not None and row.withdrawn_at is None
        assert "CAF ou de la MSA" in row.purpose and "retire mon accord" in row.purpose
        assert (row.birth_name, row.birth_date, row.sex) == ("MARTIN", dt.date(1986, 4, 12), "F")


def test_an_incomplete_consent_form_is_refused_field_by_field(app, client):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    response = _give_consent(client, accept="", birth_date="31/02/1986", birth_place_cog="")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert "Cochez la case d'accord" in body
    assert "jj/mm/aaaa" in body and "Code INSEE de la commune" in body
    with app.app_context():
        assert db.session.query(QfConsent).count() == 0


def test_without_consent_nobody_can_read_the_qf(app, client, api_server):
    with app.app_context():
        fam = claire()
        family_id = fam.id
        f.user("agent1", "Agent")
    f.login(client, "claire.martin")
    response = _fetch(client)
    assert response.status_code == 400
    assert "Sans l'accord de la famille" in unescape(response.get_data(as_text=True))
    client.get("/logout/")
    f.login(client, "agent1")
    client.post(f"/gestion/quotient-caf/{family_id}/consulter")
    assert "Sans l'accord de la famille" in unescape(
        client.get("/gestion/quotient-caf/").get_data(as_text=True))
    with app.app_context(), pytest.raises(CommandError):
        FetchQuotient(family_id, None, "staff").run()
    with app.app_context():
        assert db.session.query(QuotientFamilial).count() == 0
        assert db.session.query(QfFetch).count() == 0
    assert api_calls(api_server) == []


def test_a_withdrawn_consent_stops_the_readings(app, client, api_server):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    _give_consent(client)
    assert client.post(PAGE + "retrait", data={"withdraw": "1"}).status_code == 303
    assert _fetch(client).status_code == 400
    assert api_calls(api_server) == []


def test_staff_read_a_consenting_familys_qf(app, client):
    with app.app_context():
        fam = claire()
        family_id = fam.id
        f.user("agent1", "Agent")
    f.login(client, "claire.martin")
    _give_consent(client)
    client.get("/logout/")
    f.login(client, "agent1")
    page = client.get("/gestion/quotient-caf/").get_data(as_text=True)
    assert "Famille Martin" in page
    assert client.post(f"/gestion/quotient-caf/{family_id}/consulter").status_code == 303
    with app.app_context():
        fetch = db.session.query(QfFetch).one()
        assert (fetch.origin, fetch.requested_by.username) == ("staff", "agent1")
        assert db.session.query(QuotientFamilial).one().value == 620


def test_a_parent_cannot_read_another_familys_qf(app, client, api_server):
    with app.app_context():
        school = town().school
        claire(school)
        other = guardian_family("Yann", "Le Gall", dt.date(1982, 11, 3), "yann.legall", school)
        consent(other, "LE GALL", dt.date(1982, 11, 3), "M")
        other_id = other.id
    f.login(client, "claire.martin")
    response = client.post(f"/gestion/quotient-caf/{other_id}/consulter")
    assert response.status_code in (302, 403)
    assert _fetch(client).status_code == 400  # her own family has not consented
    assert api_calls(api_server) == []


@pytest.mark.parametrize("birth_name, status, message", [
    ("BERNARD", 404, "Aucun dossier CAF ou MSA"),
    ("ERREUR-400", 400, "une information d'identité n'est pas valide"),
    ("ERREUR-429", 429, "trop de demandes"),
    ("ERREUR-502", 502, "ne répond pas pour le moment"),
    ("ERREUR-503", 503, "ne répond pas pour le moment"),
    ("ERREUR-504", 504, "ne répond pas pour le moment"),
])
def test_each_api_error_leaves_no_attestation_and_a_french_message(
        app, client, api_server, birth_name, status, message):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    _give_consent(client, birth_name=birth_name)
    response = _fetch(client)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        assert db.session.query(QuotientFamilial).count() == 0
        fetch = db.session.query(QfFetch).one()
        assert fetch.outcome == ("not_found" if status == 404 else "error")
        assert fetch.quotient_id is None
    retried = status in (429, 502, 503, 504)
    assert len(api_calls(api_server)) == (3 if retried else 1)  # 2 retries in the tests


def test_a_refused_token_and_an_unreachable_service_are_french_too(app, client):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    _give_consent(client)
    app.config["API_PARTICULIER_TOKEN"] = "jeton-revoque"
    assert "pas autorisée à consulter" in _fetch(client).get_data(as_text=True)
    app.config["API_PARTICULIER_TOKEN"] = API_TOKEN
    url = app.config["API_PARTICULIER_URL"]
    app.config["API_PARTICULIER_URL"] = "http://127.0.0.1:9"  # nothing listens there
    assert "ne répond pas pour le moment" in _fetch(client).get_data(as_text=True)
    app.config["API_PARTICULIER_URL"] = url
    with app.app_context():
        assert db.session.query(QuotientFamilial).count() == 0


def test_a_passing_outage_is_retried_with_growing_delays(app, api_server):
    requests.post(f"{api_server.url}/_standin/fail-next", json={"status": 503, "times": 2},
                  timeout=5)
    delays: list[float] = []
    settings = ApiSettings(api_server.url, API_TOKEN, SIRET, retries=3, backoff=0.5)
    person = Allocataire("MARTIN", "CLAIRE ANNE", dt.date(1986, 4, 12), "F", "35288")
    with app.app_context():
        result = ApiParticulierClient(settings, sleep=delays.append).quotient_familial(person)
    assert (result.value, result.provider) == (620, "CAF")
    assert delays == [0.5, 1.0]


def test_the_rate_limit_waits_at_least_retry_after(app, api_server):
    requests.post(f"{api_server.url}/_standin/fail-next", json={"status": 429, "times": 1},
                  timeout=5)
    delays: list[float] = []
    settings = ApiSettings(api_server.url, API_TOKEN, SIRET, retries=1, backoff=0.1)
    person = Allocataire("LE GALL", "YANN", dt.date(1982, 11, 3), "M", "29019")
    with app.app_context():
        result = ApiParticulierClient(settings, sleep=delays.append).quotient_familial(person)
    assert result.provider == "MSA" and delays == [1.0]


def test_not_found_is_never_retried(app, api_server):
    settings = ApiSettings(api_server.url, API_TOKEN, SIRET, retries=3, backoff=0.1)
    person = Allocataire("INCONNU", "X", dt.date(1990, 1, 1), "M", "35288")
    with app.app_context(), pytest.raises(ApiParticulierError) as refused:
        ApiParticulierClient(settings, sleep=lambda s: None).quotient_familial(person)
    assert refused.value.kind == "not_found"
    assert len(api_calls(api_server)) == 1


def test_a_failure_while_writing_leaves_no_half_written_attestation(app, client, monkeypatch):
    with app.app_context():
        claire()
    f.login(client, "claire.martin")
    _give_consent(client)

    def broken_audit(self, outcome, message):
        if outcome == "found":
            raise CommandError("disque plein")  # after the attestation row was added
        return original(self, outcome, message)

    original = FetchQuotient._audit
    monkeypatch.setattr(FetchQuotient, "_audit", broken_audit)
    assert _fetch(client).status_code == 400
    with app.app_context():
        assert db.session.query(QuotientFamilial).count() == 0
        assert db.session.query(QfFetch).count() == 0
