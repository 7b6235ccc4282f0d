"""Documents sent by a family: only real jpeg, png, pdf, doc and docx files up to 10 MB are
kept; every refusal says why in French and stores nothing; a file is served only to its
family (and staff), as an attachment that the browser never renders."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import FamilyDocument, Request, RequestKind
from tests import factories as f

from . import samples
from .conftest import stored_files, upload

SEND = "/famille/documents/transmettre"


def _send(client, world, data: bytes, name: str, **extra):
    form = {"document_type": str(world.certificate_type_id), "file": upload(data, name), **extra}
    return client.post(SEND, data=form, content_type="multipart/form-data")


def _documents() -> list[FamilyDocument]:
    db.session.expire_all()
    return db.session.query(FamilyDocument).all()


REFUSED = [
    ("facture.pdf", samples.HTML, "page web ou une image SVG"),
    ("photo.png", samples.SVG, "page web ou une image SVG"),
    ("certificat.pdf", samples.EXE, "est un programme"),
    ("certificat.exe", samples.EXE, "cache un type de fichier interdit"),
    ("certificat.pdf.exe", samples.PDF, "cache un type de fichier interdit"),
    ("facture.php.pdf", samples.PDF, "cache un type de fichier interdit"),
    ("image.svg", samples.SVG, "cache un type de fichier interdit"),
    ("note.txt", b"bonjour", "n'est pas accepté"),
    ("scan.png", samples.jpeg(), "n'est pas celui d'un fichier PNG"),
    ("lettre.docx", samples.zip_not_word(), "n'est pas celui d'un fichier Word (.docx)"),
    ("lettre.docx", samples.docx_bomb(), "anormalement compressé"),
    ("macro.docx", samples.docx({"word/vbaProject.bin": b"x"}), "contient des macros"),
    ("enorme.png", samples.huge_png(), "est trop grande"),
    ("abime.png", samples.png()[:60], "illisible ou abîmée"),
    ("vide.pdf", b"", "est vide"),
    ("gros.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "dépasse la taille maximale de 10 Mo"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED,
                         ids=[f"{n}-{m[:20]}" for n, _d, m in REFUSED])
def test_a_forged_or_oversized_file_is_refused_in_french_and_nothing_is_stored(
        app, client, world, name, data, message):
    f.login(client, "martin")
    before = stored_files(app)

    response = _send(client, world, data, name)

    assert response.status_code == 400
    body = html.unescape(response.get_data(as_text=True))
    assert "Le document n'a pas été envoyé" in body
    assert message in body
    with app.app_context():
        assert _documents() == []
        assert db.session.query(Request).count() == 0
    assert stored_files(app) == before


ACCEPTED = [
    ("certificat.pdf", samples.PDF, "application/pdf"),
    ("Scan du 12-09.PNG", samples.png(), "image/png"),
    ("photo.jpeg", samples.jpeg(), "image/jpeg"),
    ("photo.jpg", samples.jpeg(), "image/jpeg"),
    ("attestation.docx", samples.docx(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("ancien.doc", samples.OLE_DOC, "application/msword"),
    ("compte.rendu.2026.pdf", samples.PDF, "application/pdf"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), ACCEPTED,
                         ids=[a[0] for a in ACCEPTED])
def test_real_documents_are_stored_under_a_random_name_and_sent_to_staff(
        app, client, world, name, data, content_type):
    f.login(client, "martin")
    before = stored_files(app)

    response = _send(client, world, data, name, child=str(world.child_id))

    assert response.status_code == 303
    assert "transmis" in response.headers["Location"]
    with app.app_context():
        [document] = _documents()
        assert (document.family_id, document.original_filename, document.content_type,
                document.size, document.state) == (world.martin_id, name, content_type,
                                                   len(data), "pending")
        [request] = db.session.query(Request).all()
        assert (request.kind, request.document_id, request.state) == (
            RequestKind.document, document.id, "pending")
        assert "Certificat médical" in request.summary
    [new_file] = sorted(set(stored_files(app)) - set(before))
    assert new_file.name == document.stored_name and name not in str(new_file)
    assert "static" not in new_file.parts
    assert new_file.read_bytes() == data


def test_the_family_downloads_its_document_as_an_attachment_never_rendered(app, client, world):
    f.login(client, "martin")
    # A real PDF whose bytes hold an HTML page: a browser sniffing it would run the script.
    _send(client, world, samples.PDF_WITH_HTML, "piège.pdf")
    with app.app_context():
        [document] = _documents()
    page = client.get("/famille/documents/").get_data(as_text=True)
    assert "piège.pdf" in page and "À vérifier" in page

    response = client.get(f"/famille/documents/fichier/{document.stored_name}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_another_familys_document_gives_404(app, client, world):
    f.login(client, "voisin")
    _send(client, world, samples.PDF, "voisin.pdf")
    with app.app_context():
        [document] = _documents()
    client.get("/logout/")
    f.login(client, "martin")

    assert client.get(f"/famille/documents/fichier/{document.stored_name}").status_code == 404
    # Staff routes are closed to parents, whatever the id.
    assert client.get(f"/gestion/documents-a-verifier/{document.id}/fichier").status_code == 403
    assert client.get(f"/gestion/documents-a-verifier/show/{document.id}").status_code == 403
    page = client.get("/famille/documents/").get_data(as_text=True)
    assert "voisin.pdf" not in page


def test_a_child_of_another_family_cannot_be_named(app, client, world):
    f.login(client, "martin")
    with app.app_context():
        from app.models import Family

        other_child = db.session.get(Family, world.voisin_id).children[0].id
    response = _send(client, world, samples.PDF, "certificat.pdf", child=str(other_child))
    assert response.status_code == 400
    assert "pas rattaché à votre famille" in response.get_data(as_text=True)
    with app.app_context():
        assert _documents() == []
