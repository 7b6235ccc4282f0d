"""The manager's import pages: upload, mapping (remembered), dry run with the refused lines,
run in the background with its progress, invitations; agents and parents are kept out."""

from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from app.models import Family, FamilyImport, Guardian, ImportState, OutgoingMail
from app.security.roles import AGENT, MANAGER
from tests import factories
from tests.imports.builders import MAPPING, csv_bytes, row
from tests.test_accessibility import audit


@pytest.fixture
def town(app):
    with app.app_context():
        factories.school("École Théodore Chalmel")
        factories.school_year()
        factories.user("gestionnaire", MANAGER)
        factories.user("agent", AGENT)
        factories.family("Voisin", factories.school("École Autre"), username="parent.voisin")
    app.config["PORTAL_FIXED_NOW"] = "2026-11-15T09:00:00"
    yield
    app.config["PORTAL_FIXED_NOW"] = None


def _upload(client, content: bytes, name: str = "familles.csv") -> int:
    response = client.post("/gestion/import/", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.status_code
    return int(re.search(r"/gestion/import/(\d+)/colonnes", response.location).group(1))


def _map(client, pk: int, mapping=MAPPING):
    return client.post(f"/gestion/import/{pk}/colonnes",
                       data={f"map_{k}": v for k, v in mapping.items()})


def test_a_manager_imports_a_file_through_the_pages(app, client, town):
    factories.login(client, "gestionnaire")
    pk = _upload(client, csv_bytes([row(1), row(2)]))
    page = client.get(f"/gestion/import/{pk}/colonnes").get_data(as_text=True)
    assert "Courriel resp." in page  # the file's headers are offered
    assert audit(page) == []
    assert _map(client, pk).status_code == 303
    page = client.get(f"/gestion/import/{pk}").get_data(as_text=True)
    assert "Aucune ligne refusée" in page and "foyers : 2" in page
    assert client.post(f"/gestion/import/{pk}/lancer").status_code == 303
    app.extensions["portal_background"].wait()
    status = client.get(f"/gestion/import/{pk}/etat").get_json()
    assert status["finished"] and status["state"] == "done" and status["done"] == 2
    page = client.get(f"/gestion/import/{pk}").get_data(as_text=True)
    assert "Import terminé" in page and "anne.import1@example.org" in page
    with app.app_context():
        assert db.session.query(Family).filter(Family.name.like("Famille Import%")).count() == 2
        ids = [g.id for g in db.session.query(Guardian).filter(
            Guardian.email == "anne.import2@example.org")]
    client.post(f"/gestion/import/{pk}/inviter", data={"guardian": ids})
    with app.app_context():
        assert [m.recipient for m in db.session.query(OutgoingMail)] == [
            "anne.import2@example.org"]
    # The next file is offered the same columns.
    pk2 = _upload(client, csv_bytes([row(3)]))
    page = client.get(f"/gestion/import/{pk2}/colonnes").get_data(as_text=True)
    assert re.search(r'<option value="Courriel resp\."\s+selected>', page)


def test_refused_lines_are_shown_and_the_run_cannot_start(app, client, town):
    factories.login(client, "gestionnaire")
    pk = _upload(client, csv_bytes([row(1), row(2, birth="2019-13-45")]))
    _map(client, pk)
    page = client.get(f"/gestion/import/{pk}").get_data(as_text=True)
    assert "1 ligne refusée" in page
    assert "<td>3</td><td>date de naissance « 2019-13-45 » invalide (jj/mm/aaaa)</td>" in page
    client.post(f"/gestion/import/{pk}/lancer")
    with app.app_context():
        assert db.session.get(FamilyImport, pk).state == ImportState.refused
        assert db.session.query(Family).filter(Family.name.like("Famille Import%")).count() == 0


def test_an_unreadable_or_empty_upload_is_refused_in_french(client, town):
    factories.login(client, "gestionnaire")
    response = client.post("/gestion/import/", data={"file": (io.BytesIO(b"x"), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Format non reconnu" in response.get_data(as_text=True)
    response = client.post("/gestion/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400


@pytest.mark.parametrize("username", ["agent", "parent.voisin"])
def test_agents_and_parents_cannot_import(client, town, username):
    factories.login(client, username)
    assert client.get("/gestion/import/").status_code in (302, 403)
    response = client.post("/gestion/import/", data={"file": (io.BytesIO(csv_bytes([row(1)])),
                                                              "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 403)
    assert client.get("/gestion/import/1/etat").status_code in (302, 403)
