"""Effectifs cuisine (/gestion/effectifs-cuisine): meals per school for the coming open days,
by diet, with the PAI, as a table and as a PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import BookingState, Closure, ServiceKind
from app.services.kitchen import kitchen_count
from tests import factories as f

from .data import FRIDAY, MONDAY, TODAY, booked, enrolled_family, queue_town, second_school
from .test_attendance import pdf_text

KITCHEN = "/gestion/effectifs-cuisine"


@pytest.fixture
def kitchen(app):
    """Chalmel: Thursday 2 meals (one vegetarian with a PAI, one without pork), a pending
    booking and an evening-care booking that are no meals; Friday 1 meal; Monday a
    cancellation waiting (still a meal). Sainte-Thérèse: closed on Friday (strike)."""
    with app.test_request_context():
        school, canteen, fams = queue_town(families=3)
        kids = [fam.children[0] for fam in fams]
        kids[0].diet, kids[0].has_pai = "vegetarian", True
        kids[1].diet = "no_pork"
        care = f.service("garderie", kind=ServiceKind.care_evening, schools=[school])
        booked(fams[0], kids[0], canteen, TODAY)
        booked(fams[1], kids[1], canteen, TODAY)
        booked(fams[2], kids[2], canteen, TODAY, BookingState.pending)
        booked(fams[2], kids[2], care, TODAY)
        booked(fams[0], kids[0], canteen, FRIDAY)
        booked(fams[1], kids[1], canteen, MONDAY, BookingState.cancellation)
        other, fam = second_school(canteen)
        booked(fam, fam.children[0], canteen, TODAY)
        db.session.add(Closure(start_date=FRIDAY, end_date=FRIDAY, reason="Grève",
                               school=other, service=canteen))
        enrolled_family("Vide", other, canteen)
        db.session.commit()
        return {"chalmel": school.id, "other": other.id}


def test_meals_per_school_and_open_day_with_diets_and_pai(app, kitchen):
    with app.test_request_context():
        count = kitchen_count(TODAY, 3)
        assert count.days == [TODAY, FRIDAY, MONDAY]  # Saturday and Sunday skipped
        chalmel, other = count.schools[1], count.schools[0]  # by name
        assert chalmel.id == kitchen["chalmel"] and other.id == kitchen["other"]
        thursday = count.cell(chalmel, TODAY)
        assert (thursday.meals, thursday.pai) == (2, 1)
        assert thursday.diets == {"vegetarian": 1, "no_pork": 1}
        assert count.cell(chalmel, FRIDAY).meals == 1
        assert count.cell(chalmel, MONDAY).meals == 1
        assert count.cell(other, FRIDAY).closed == "Fermeture : Grève"
        assert count.day_total(TODAY).meals == 3
        assert kitchen_count(dt.date(2026, 12, 2), 1).days == [dt.date(2026, 12, 3)]


def test_the_page_and_the_pdf_show_the_counts(app, client, kitchen):
    f.login(client, "agent1")
    response = client.get(f"{KITCHEN}/?du={TODAY.isoformat()}&jours=3")
    assert response.status_code == 200
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    rows = [" ".join(tr.text_content().split())
            for tr in document.xpath("//table[contains(@class,'kitchen-table')]/tbody/tr")]
    assert len(rows) == 3
    assert rows[0].startswith("Jeudi 26 novembre 2026")
    assert "2 repas Sans porc : 1 Végétarien : 1 dont PAI : 1" in rows[0]
    assert "3 repas" in rows[0]  # the day's total
    assert "Fermeture : Grève" in rows[1] and "Fermé : Fermeture" not in rows[1]
    pdf = client.get(f"{KITCHEN}/pdf?du={TODAY.isoformat()}&jours=3")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Effectifs cuisine" in text and "Jeudi 26 novembre 2026" in text
    assert "Végétarien : 1" in text and "dont PAI : 1" in text and "Grève" in text
    assert "Fermé : Fermeture" not in text


def test_the_default_is_the_next_five_open_days_from_today(app, client, kitchen):
    f.login(client, "agent1")
    document = lxml_html.document_fromstring(client.get(f"{KITCHEN}/").get_data(as_text=True))
    days = [" ".join(th.text_content().split())
            for th in document.xpath("//table[contains(@class,'kitchen-table')]/tbody/tr/th")]
    assert days == ["Jeudi 26 novembre 2026", "Vendredi 27 novembre 2026",
                    "Lundi 30 novembre 2026", "Mardi 1 décembre 2026", "Jeudi 3 décembre 2026"]


def test_managers_export_the_kitchen_count_typed(app, client, kitchen):
    import io

    import openpyxl

    with app.app_context():
        f.user("gestionnaire1", "Gestionnaire")
    f.login(client, "gestionnaire1")
    query = f"du={TODAY.isoformat()}&jours=3"
    response = client.get(f"{KITCHEN}/xlsx?{query}")
    assert "effectifs-cuisine-2026-11-26.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 6  # 3 days × 2 schools
    thursday = next(r for r in rows if r["Jour"] == dt.datetime(2026, 11, 26)
                    and r["École"] != rows[0]["École"])
    assert (thursday["Repas"], thursday["Dont PAI"], thursday["Végétarien"],
            thursday["Sans porc"]) == (2, 1, 1, 1)
    closed = [r for r in rows if r["Fermé"]]
    assert [r["Fermé"] for r in closed] == ["Fermeture : Grève"]
    text = client.get(f"{KITCHEN}/csv?{query}").get_data().decode("utf-8")
    assert text.startswith("\ufeffJour;École;Repas;Dont PAI;")
    assert "26/11/2026" in text


def test_agents_print_the_kitchen_count_but_do_not_export_it(client, kitchen):
    f.login(client, "agent1")
    page = client.get(f"{KITCHEN}/").get_data(as_text=True)
    assert "Imprimer (PDF)" in page and "Exporter en CSV" not in page
    assert client.get(f"{KITCHEN}/xlsx").status_code in (302, 403)


@pytest.mark.parametrize("first", ["gestionnaire1", "agent1"])
def test_the_first_user_to_open_the_page_does_not_fix_its_buttons_for_the_others(
        app, kitchen, first):
    """Jinja folds a filter applied to constants into the compiled template: the export
    buttons (`"can_csv" | is_item_visible(…)`) were computed for whoever opened the page
    first after a start, then shown to everyone (tests/…/test_headers.py's admin made the
    agent of the test above see them)."""
    with app.app_context():
        f.user("gestionnaire1", "Gestionnaire")
    app.jinja_env.cache.clear()  # a worker that has just started
    seen = {}
    for username in (first, "agent1" if first == "gestionnaire1" else "gestionnaire1"):
        client = app.test_client()
        f.login(client, username)
        seen[username] = "Exporter en CSV" in client.get(f"{KITCHEN}/").get_data(as_text=True)
    assert seen == {"gestionnaire1": True, "agent1": False}
