"""The parents' Accueil shows the structure's information page (written by staff) and the
published documents; staff edit the page, an agent included, a parent cannot."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from app.extensions import db
from app.models import PublishedDocument, StructureInfo
from app.security.roles import AGENT
from tests import factories as f


def _text(response) -> str:
    return " ".join(lxml_html.document_fromstring(response.get_data(as_text=True))
                    .text_content().split())


def test_accueil_shows_the_information_page_and_the_documents(app, client, count_queries):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        f.family("Accueil", school, username="accueil")
        f.user("agent1", AGENT)
        db.session.add(PublishedDocument(
            title="Menus de décembre", category="menu", stored_name="a" * 40 + ".pdf",
            original_filename="menus-decembre.pdf", content_type="application/pdf", size=1000,
            published_on=dt.date(2026, 11, 1)))
        db.session.commit()
    f.login(client, "accueil")
    page = _text(client.get("/famille/"))
    assert "Menus de décembre" in page and "Informations pratiques" in page
    assert "02 99 58 81 17" in page  # the service's contacts until staff write the page

    client.get("/logout/")
    f.login(client, "agent1")
    response = client.post("/gestion/informations-pratiques/add", data={
        "title": "Le service des affaires scolaires",
        "hours": "Lundi, mardi, jeudi, vendredi : 8 h 30 – 12 h, 13 h 30 – 17 h",
        "addresses": "Mairie, 1 place de l'Église, 35430 Saint-Père",
        "contacts": "02 99 58 81 17 – affaires.scolaires@ville-saint-pere.fr"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(StructureInfo).count() == 1
    client.get("/logout/")

    f.login(client, "accueil")
    client.get("/famille/")
    with count_queries() as counter:
        page = _text(client.get("/famille/"))
    assert "Le service des affaires scolaires" in page
    assert "Horaires d'ouverture Lundi, mardi, jeudi, vendredi : 8 h 30 – 12 h" in page
    assert "Mairie, 1 place de l'Église" in page
    assert len(counter.statements) <= 20
    # A parent cannot edit it.
    denied = client.post("/gestion/informations-pratiques/add", data={"title": "Pirate"})
    assert denied.status_code in (302, 403)
    with app.app_context():
        assert db.session.query(StructureInfo).filter_by(title="Pirate").count() == 0
