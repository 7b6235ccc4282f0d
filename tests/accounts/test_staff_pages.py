"""The back-office pages of accounts and documents open for every staff role, in French,
and never for a parent."""

from __future__ import annotations

import html

import pytest

from app.security.roles import ADMIN, AGENT, MANAGER
from tests import factories as f

PAGES = {
    "/gestion/comptes/list/": "Comptes des familles",
    "/gestion/comptes/nouvelle-famille/": "Nouvelle famille",
    "/gestion/documents-a-verifier/list/": "Documents à vérifier",
    "/gestion/documents-manquants/": "Documents manquants",
    "/gestion/documents-publies/nouveau/": "Publier un document",
}


@pytest.mark.parametrize("role", [AGENT, MANAGER, ADMIN])
def test_staff_open_the_account_and_document_pages(app, client, world, role):
    with app.app_context():
        f.user("personnel", role)
    f.login(client, "personnel")
    menu = html.unescape(client.get("/gestion/").get_data(as_text=True))
    for path, title in PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert title in html.unescape(response.get_data(as_text=True)), path
    for label in ("Comptes et invitations", "Nouvelle famille", "Documents à vérifier",
                  "Documents manquants", "Publier un document"):
        assert label in menu, label
    accounts = html.unescape(client.get("/gestion/comptes/list/").get_data(as_text=True))
    assert "martin" in accounts and "Compte actif" not in accounts  # never logged in yet


def test_parents_are_refused_every_staff_page(app, client, world):
    f.login(client, "martin")
    for path in PAGES:
        assert client.get(path).status_code == 403, path
