"""Staff check the documents families send (accept with validity dates, refuse with a
reason: the family gets an alert and a mail), see which required documents are missing or
expired, and publish documents that parents find under « Mes documents »."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from app.extensions import db
from app.models import Alert, DocumentState, FamilyDocument, PublishedDocument, Request
from app.services.calendar import local_today
from app.services.documents import add_months
from app.services.documents.queries import missing_documents
from app.services.errors import CommandError
from app.services.reservations.decide import REFUSE, VALIDATE, DecideRequests
from tests import factories as f

from . import samples
from .conftest import stored_files, upload

REVIEW = "/gestion/documents-a-verifier"


def _send(app, world, name="certificat.pdf", username="martin", type_id=None):
    client = app.test_client()
    f.login(client, username)
    response = client.post("/famille/documents/transmettre", content_type="multipart/form-data",
                           data={"document_type": str(type_id or world.certificate_type_id),
                                 "file": upload(samples.PDF, name)})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.query(FamilyDocument).order_by(FamilyDocument.id.desc()).first().id


@pytest.fixture
def agent(app, world):
    client = app.test_client()
    f.login(client, "agent")
    return client


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_staff_accept_a_document_and_the_family_is_told_by_alert_and_mail(
        app, agent, world, smtp_server):
    doc_id = _send(app, world)
    listing = _page(agent.get(f"{REVIEW}/list/"))
    assert "certificat.pdf" in listing and "Famille Martin" in listing
    show = _page(agent.get(f"{REVIEW}/show/{doc_id}"))
    assert "Accepter le document" in show and "Refuser le document" in show
    download = agent.get(f"{REVIEW}/{doc_id}/fichier")
    assert download.data == samples.PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    response = agent.post(f"{REVIEW}/{doc_id}/verification",
                          data={"decision": "accept", "valid_from": "2026-09-01",
                                "valid_until": ""})

    assert response.status_code == 303
    with app.app_context():
        document = db.session.get(FamilyDocument, doc_id)
        assert document.state == DocumentState.accepted
        assert (document.valid_from, document.valid_until) == (dt.date(2026, 9, 1),
                                                               dt.date(2027, 8, 31))
        [request] = db.session.query(Request).all()
        assert request.state == "validated" and request.decided_by_id is not None
        [alert] = db.session.query(Alert).all()
        assert alert.family_id == world.martin_id and "acceptée" in alert.title
    assert smtp_server.recipients() == ["martin@example.org"]
    assert "certificat.pdf" not in _page(agent.get(f"{REVIEW}/list/"))  # nothing left to check


def test_a_refusal_needs_a_reason_and_the_family_sees_it(app, agent, world, smtp_server):
    doc_id = _send(app, world)
    no_reason = agent.post(f"{REVIEW}/{doc_id}/verification", data={"decision": "reject"})
    assert "Indiquez le motif du refus" in _page(agent.get(no_reason.headers["Location"]))
    with app.app_context():
        assert db.session.get(FamilyDocument, doc_id).state == DocumentState.pending

    agent.post(f"{REVIEW}/{doc_id}/verification",
               data={"decision": "reject", "reason": "Certificat illisible, merci de le rescanner"})

    with app.app_context():
        document = db.session.get(FamilyDocument, doc_id)
        assert (document.state, document.reason) == (
            DocumentState.rejected, "Certificat illisible, merci de le rescanner")
        [alert] = db.session.query(Alert).all()
        assert "Certificat illisible" in alert.message
    parent = app.test_client()
    f.login(parent, "martin")
    page = _page(parent.get("/famille/documents/"))
    assert "Refusé" in page and "Motif : Certificat illisible" in page
    assert "refusé par le service, à renvoyer" in page


def test_the_request_queue_decides_documents_through_the_registered_handler(app, world):
    doc_id = _send(app, world)
    with app.test_request_context():
        request_id = db.session.query(Request.id).filter_by(document_id=doc_id).scalar()
        DecideRequests([request_id], VALIDATE, None).run()
        document = db.session.get(FamilyDocument, doc_id)
        assert document.state == DocumentState.accepted
        today = local_today()
        assert document.valid_from == today  # 12 months of validity (the type's), by default
        assert document.valid_until == add_months(today, 12) - dt.timedelta(days=1)
        with pytest.raises(CommandError, match="déjà été traitée"):
            DecideRequests([request_id], REFUSE, None, "trop tard").run()


def test_missing_and_expired_documents_for_the_family_and_for_staff(app, agent, world):
    with app.app_context():
        old = FamilyDocument(family_id=world.martin_id, document_type_id=world.insurance_type_id,
                             original_filename="assurance-2025.pdf", stored_name="a" * 48,
                             content_type="application/pdf", size=10, state="accepted",
                             valid_from=dt.date(2025, 9, 1), valid_until=dt.date(2026, 8, 31))
        db.session.add(old)
        db.session.commit()
        today = dt.date(2026, 11, 26)
        states = {m.label: m.state for m in missing_documents(world.martin_id, today)}
        assert states == {"Attestation d'assurance": "expired", "Certificat médical": "missing"}
    _send(app, world)  # a certificate waiting to be checked is no longer « to send »
    with app.app_context():
        assert [m.label for m in missing_documents(world.martin_id, dt.date(2026, 11, 26))] == [
            "Attestation d'assurance"]

    page = _page(agent.get("/gestion/documents-manquants/"))
    assert "Famille Martin" in page and "Famille Intrus" in page
    assert "Expiré (depuis le 31/08/2026)" in page
    assert "Transmis, à vérifier" in page and "Jamais transmis" in page


def test_parents_see_published_documents_for_all_and_for_their_schools_only(
        app, agent, world):
    def publish(title: str, school_id=None, day="2026-09-01"):
        response = agent.post("/gestion/documents-publies/nouveau/",
                              content_type="multipart/form-data",
                              data={"title": title, "category": "menu", "school":
                                    str(school_id or ""), "published_on": day,
                                    "file": upload(samples.PDF, f"{title}.pdf")})
        assert response.status_code == 303, _page(response)

    publish("Menus de novembre")
    publish("Règlement de Chalmel", world.school_id)
    publish("Règlement de Sainte-Thérèse", world.other_school_id)
    publish("Menus de 2099", day="2099-01-01")
    parent = app.test_client()
    f.login(parent, "martin")

    page = _page(parent.get("/famille/documents/"))

    assert "Menus de novembre" in page and "Règlement de Chalmel" in page
    assert "Sainte-Thérèse" not in page and "2099" not in page
    with app.app_context():
        rows = {d.title: d.stored_name for d in db.session.query(PublishedDocument)}
    mine = parent.get(f"/famille/documents/structure/{rows['Menus de novembre']}")
    assert mine.status_code == 200 and mine.data == samples.PDF
    assert mine.headers["Content-Disposition"].startswith("attachment;")
    assert parent.get(
        f"/famille/documents/structure/{rows['Règlement de Sainte-Thérèse']}").status_code == 404


def test_a_published_file_is_checked_like_any_upload(app, agent, world):
    before = stored_files(app)
    response = agent.post("/gestion/documents-publies/nouveau/",
                          content_type="multipart/form-data",
                          data={"title": "Menu", "category": "menu",
                                "file": upload(samples.SVG, "menu.pdf")})
    assert response.status_code == 400
    assert "page web ou une image SVG" in _page(response)
    assert stored_files(app) == before
