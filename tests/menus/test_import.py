"""The caterer's file import (issue 14, "done when"): bad rows are refused with their line
numbers and nothing is imported; a good CSV or XLSX with a column mapping replaces the
days it holds (a published day is then « modifié »)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.extensions import db
from app.models import Dish, Menu
from app.security.roles import AGENT
from tests import factories as f

from .builders import MONDAY, THURSDAY, menu, town

IMPORT = "/gestion/menus/import/"
GOOD = (
    "Jour;Composante;Libellé;Allergènes;Labels;Régime\n"
    "03/12/2026;Entrée;Salade de lentilles;moutarde;bio, local;\n"
    "03/12/2026;Plat;Rôti de porc;;label rouge;\n"
    "03/12/2026;Plat;Dos de colin;poisson;pêche durable;sans porc\n"
    "03/12/2026;Dessert;Cookie;Arachides, gluten, œufs;fait maison;\n"
    "04/12/2026;Plat;Curry de pois chiches;;bio;\n"
)
MAPPING = {"map_date": "Jour", "map_course": "Composante", "map_dish": "Libellé",
           "map_allergens": "Allergènes", "map_labels": "Labels", "map_variant": "Régime"}


def _post(client, t, content: bytes, filename: str = "menus.csv", **mapping):
    data = {"cuisine": str(t.kitchen.id), **MAPPING, **mapping,
            "file": (io.BytesIO(content), filename)}
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def _agent(client):
    f.user("agent.import", AGENT)
    f.login(client, "agent.import")


def test_bad_rows_are_refused_with_their_line_numbers_and_nothing_is_imported(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        bad = GOOD + ("31/02/2026;Plat;Gratin;;;\n"
                      "05/12/2026;Apéritif;Chips;;;\n"
                      "05/12/2026;Dessert;Gâteau;noix de coco;;\n"
                      "05/12/2026;Dessert;;;;\n")
        response = _post(client, t, bad.encode("utf-8"))
        assert response.status_code == 400
        text = response.data.decode()
        assert "Rien n&#39;a été importé" in text or "Rien n'a été importé" in text
        assert "Ligne 7 : date « 31/02/2026 » invalide" in text
        assert "Ligne 8 : composante « Apéritif » inconnue" in text
        assert "Ligne 9 : allergène « noix de coco » inconnu" in text
        assert "Ligne 10 : nom du plat manquant" in text
        assert "Ligne 2" not in text and "Ligne 6" not in text
        assert db.session.query(Menu).count() == 0 and db.session.query(Dish).count() == 0


def test_a_missing_mapped_column_is_named(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        response = _post(client, t, GOOD.encode("utf-8"), map_date="Date du repas")
        assert response.status_code == 400
        assert "Colonne « Date du repas »" in response.data.decode()
        assert db.session.query(Menu).count() == 0


def test_a_good_csv_replaces_the_days_it_holds(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        old = menu(t.kitchen, THURSDAY, [("main", "Ancien plat", "")], publish_on=MONDAY)
        response = _post(client, t, GOOD.encode("cp1252"))  # Excel's French CSV
        assert response.status_code == 303
        db.session.expire_all()
        thursday = db.session.get(Menu, old.id)
        assert thursday.modified_at is not None  # it was published: « modifié »
        dishes = {(d.course, d.variant, d.name, d.allergens, d.labels) for d in thursday.dishes}
        assert dishes == {
            ("starter", "standard", "Salade de lentilles", "mustard", "organic,local"),
            ("main", "standard", "Rôti de porc", "", "label_rouge"),
            ("main", "no_pork", "Dos de colin", "fish", "sustainable_fishing"),
            ("dessert", "standard", "Cookie", "gluten,eggs,peanuts", "homemade"),
        }
        assert db.session.query(Menu).count() == 2


def test_an_xlsx_file_with_real_dates(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        book = Workbook()
        sheet = book.active
        sheet.append(["date", "composante", "plat", "allergenes"])
        sheet.append([THURSDAY, "dessert", "Yaourt", "lait"])
        buffer = io.BytesIO()
        book.save(buffer)
        response = _post(client, t, buffer.getvalue(), "menus.xlsx", map_date="", map_course="",
                         map_dish="", map_allergens="", map_labels="", map_variant="")
        assert response.status_code == 303
        [row] = db.session.query(Menu).all()
        assert row.day == THURSDAY and [(d.name, d.allergens) for d in row.dishes] == [
            ("Yaourt", "milk")]
