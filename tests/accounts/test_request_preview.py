"""The request queue and the document review show what the family sent, in the page: the
labelled diff of a data change, the uploaded PDF (an <iframe>) or image (an <img>) of a
staff-only route served inline; a decided request's queue link opens it."""

from __future__ import annotations

import html
import json

import pytest

from app.extensions import db
from app.models import FamilyDocument, Request, RequestKind, RequestState
from tests import factories as f

from . import samples
from .conftest import upload

QUEUE = "/gestion/file-des-demandes"
DECIDED = "/gestion/demandes-traitees"
REVIEW = "/gestion/documents-a-verifier"


def _send(app, world, data: bytes, name: str) -> int:
    client = app.test_client()
    f.login(client, "martin")
    response = client.post("/famille/documents/transmettre", content_type="multipart/form-data",
                           data={"document_type": str(world.certificate_type_id),
                                 "file": upload(data, name)})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.query(FamilyDocument).order_by(FamilyDocument.id.desc()).first().id


@pytest.fixture
def agent(app, world):
    client = app.test_client()
    f.login(client, "agent")
    return client


def _request_of(app, document_id: int) -> int:
    with app.app_context():
        return db.session.query(Request).filter_by(document_id=document_id).one().id


@pytest.mark.parametrize(("data", "name", "mimetype", "tag"), [
    (samples.PDF, "certificat.pdf", "application/pdf", "<iframe"),
    (samples.png(), "certificat.png", "image/png", "<img"),
])
def test_the_uploaded_file_is_previewed_in_the_queue_and_the_review(
        app, world, agent, data, name, mimetype, tag):
    document_id = _send(app, world, data, name)
    preview = f"{REVIEW}/{document_id}/apercu"
    for page in (f"{QUEUE}/show/{_request_of(app, document_id)}", f"{REVIEW}/show/{document_id}"):
        text = agent.get(page).get_data(as_text=True)
        assert f'{tag} class="document-preview-' in text and f'src="{preview}"' in text, page
    response = agent.get(preview)
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.data == data
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    # the page that frames it may (same origin, no object-src needed for an iframe)
    page_csp = agent.get(f"{REVIEW}/show/{document_id}").headers["Content-Security-Policy"]
    assert "default-src 'self'" in page_csp and "frame-src" not in page_csp


def test_a_word_file_is_not_previewed_and_a_parent_never_reaches_the_preview(
        app, world, agent):
    document_id = _send(app, world, samples.docx(), "certificat.docx")
    assert agent.get(f"{REVIEW}/{document_id}/apercu").status_code == 404
    page = agent.get(f"{REVIEW}/show/{document_id}").get_data(as_text=True)
    assert "ne peut pas être affiché dans la page" in html.unescape(page)
    pdf_id = _send(app, world, samples.PDF, "certificat.pdf")
    parent = app.test_client()
    f.login(parent, "martin")
    response = parent.get(f"{REVIEW}/{pdf_id}/apercu")
    assert response.status_code in (302, 403, 404) and not response.data.startswith(b"%PDF")


def test_a_data_change_shows_a_french_diff_not_json(app, world, agent):
    with app.app_context():
        row = Request(family_id=world.martin_id, child_id=world.child_id,
                      kind=RequestKind.data_change, summary="Santé et alimentation",
                      old_value=json.dumps({"target": "child", "id": world.child_id, "fields": {
                          "diet": "standard", "allergies": "Arachide"}}),
                      new_value=json.dumps({"target": "child", "id": world.child_id, "fields": {
                          "diet": "no_pork", "allergies": "Arachide, fruits à coque"}}))
        db.session.add(row)
        db.session.commit()
        pk = row.id
    for url in (f"{QUEUE}/show/{pk}", f"/gestion/demandes/show/{pk}"):
        text = html.unescape(agent.get(url).get_data(as_text=True))
        assert "Régime alimentaire : Standard → Sans porc" in text, url
        assert "Allergies : Arachide → Arachide, fruits à coque" in text
        assert '"target"' not in text and "no_pork" not in text


def test_the_queue_link_of_a_decided_request_opens_it(app, world, agent):
    with app.app_context():
        row = Request(family_id=world.martin_id, kind=RequestKind.booking, summary="Décidée",
                      state=RequestState.validated)
        db.session.add(row)
        db.session.commit()
        pk = row.id
    response = agent.get(f"{QUEUE}/show/{pk}", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == f"{DECIDED}/show/{pk}"
    assert "Décidée" in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(Request, pk).state = RequestState.pending
        db.session.commit()
    assert agent.get(f"{DECIDED}/show/{pk}").headers["Location"].endswith(f"{QUEUE}/show/{pk}")
