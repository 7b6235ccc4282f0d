"""Menu pages: the staff's one-screen week editor (save, copy last week, copy the 5-week
cycle, publish at a date, « modifié »), the parents' week (allergens in words, diet
alternative, EGalim shares) on « Menus » and on Accueil, and who may open what."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from app.extensions import db
from app.models import Diet, Menu
from app.security.roles import AGENT
from app.services.menus.editor import EDITOR_SLOTS, field_name
from tests import factories as f

from .builders import MONDAY, NUT_DESSERT, THURSDAY, declare, menu, town

EDITOR = "/gestion/menus"
DESSERT = EDITOR_SLOTS.index(("dessert", "standard"))
MAIN = EDITOR_SLOTS.index(("main", "standard"))


def _text(response) -> str:
    return " ".join(lxml_html.fromstring(response.data).text_content().split())


def _agent(client):
    f.user("agent.menus", AGENT)
    f.login(client, "agent.menus")


def _week_form(t, **fields) -> dict:
    return {"cuisine": t.kitchen.id, "semaine": MONDAY.isoformat(), **fields}


def test_staff_enter_a_week_in_one_screen_and_publish_it(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        page = client.get(f"{EDITOR}/?cuisine={t.kitchen.id}&semaine=2026-12-02")
        assert page.status_code == 200
        assert "semaine du 30/11/2026" in _text(page)
        form = _week_form(t, **{
            field_name(THURSDAY, MAIN, "name"): "Poisson pané",
            field_name(THURSDAY, MAIN, "allergens"): "Poisson, gluten",
            field_name(THURSDAY, MAIN, "labels"): "pêche durable",
            field_name(THURSDAY, DESSERT, "name"): "Crème aux noisettes",
            field_name(THURSDAY, DESSERT, "allergens"): "fruits à coque, lait",
            f"d-{THURSDAY.isoformat()}-veg": "",
        })
        saved = client.post(f"{EDITOR}/enregistrer", data=form)
        assert saved.status_code == 303, _text(saved)[-600:]
        row = db.session.query(Menu).one()
        assert row.day == THURSDAY and row.publish_on is None
        assert {(d.name, d.allergens, d.labels) for d in row.dishes} == {
            ("Poisson pané", "gluten,fish", "sustainable_fishing"),
            ("Crème aux noisettes", "milk,nuts", "")}
        published = client.post(f"{EDITOR}/publier",
                                data=_week_form(t, publish_on="2026-12-01"))
        assert published.status_code == 303
        db.session.refresh(row)
        assert row.publish_on == dt.date(2026, 12, 1) and row.modified_at is None
        page = client.get(f"{EDITOR}/?cuisine={t.kitchen.id}&semaine=2026-11-30")
        assert "publié le 01/12/2026" in _text(page)
        assert "lait, fruits à coque" in page.data.decode()


def test_an_unknown_allergen_is_refused_and_nothing_is_saved(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        form = _week_form(t, **{field_name(THURSDAY, DESSERT, "name"): "Tarte",
                                field_name(THURSDAY, DESSERT, "allergens"): "noix de coco"})
        refused = client.post(f"{EDITOR}/enregistrer", data=form)
        assert refused.status_code == 400
        assert "« noix de coco » n'est pas un des 14 allergènes" in _text(refused)
        assert db.session.query(Menu).count() == 0


def test_copy_last_week_and_the_five_week_cycle(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        for week in range(5):  # a cycle: weeks of 26/10 … 23/11, one Thursday dish each
            day = THURSDAY - dt.timedelta(days=7 * (5 - week))
            menu(t.kitchen, day, [("main", f"Plat du cycle {week + 1}", "")],
                 publish_on=day)
        client.post(f"{EDITOR}/copier", data=_week_form(t))
        assert [d.name for d in db.session.query(Menu).filter_by(day=THURSDAY).one().dishes] \
            == ["Plat du cycle 5"]
        client.post(f"{EDITOR}/copier", data=_week_form(t, cycle="1"))  # refused: published?
        target = db.session.query(Menu).filter_by(day=THURSDAY).one()
        assert target.publish_on is None  # a copy is never published by itself
        assert [d.name for d in target.dishes] == ["Plat du cycle 1"]
        copied = db.session.query(Menu).filter(Menu.day > THURSDAY).order_by(Menu.day).all()
        assert [(m.day, m.dishes[0].name) for m in copied] == [
            (THURSDAY + dt.timedelta(days=7 * n), f"Plat du cycle {n + 1}") for n in range(1, 5)]


def test_copy_never_replaces_a_published_menu(app, client):
    with app.test_request_context():
        t = town()
        _agent(client)
        menu(t.kitchen, THURSDAY - dt.timedelta(days=7), [("main", "Ancien", "")])
        menu(t.kitchen, THURSDAY, [("main", "Publié", "")], publish_on=MONDAY)
        page = client.post(f"{EDITOR}/copier", data=_week_form(t), follow_redirects=True)
        assert "Menus déjà publiés, non remplacés : 03/12/2026" in _text(page)
        assert db.session.query(Menu).filter_by(day=THURSDAY).one().dishes[0].name == "Publié"


def test_parents_see_the_week_with_their_child_s_allergen_in_words(app, client):
    with app.test_request_context():
        t = town(children=2)
        hugo, jade = t.family.children
        jade.diet = Diet.vegetarian
        db.session.commit()
        declare(hugo, "nuts")
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY, vegetarian=False)
        menu(t.kitchen, THURSDAY + dt.timedelta(days=1), [("main", "Pas encore publié", "")],
             publish_on=dt.date(2026, 12, 4))
        f.login(client, "parent.menus")
        page = client.get("/famille/menus/")
        assert page.status_code == 200
        text = _text(page)
        assert "Jeudi 3 décembre" in text and "Tarte aux noix" in text
        assert f"Contient un allergène déclaré pour {hugo.first_name} : fruits à coque" in text
        assert "Allergènes : gluten, lait, fruits à coque" in text
        assert f"Alternative végétarienne : Galette de légumes (pour {jade.first_name})" in text
        assert "Pas encore publié" not in text
        # EGalim of December: 3 standard dishes published, one organic, all labelled.
        assert "1 repas publiés, dont 0 végétariens ; 100,0 % des plats avec un label" in text
        assert "Bio : 33,3 %" in text
        home = _text(client.get("/famille/"))
        assert "Menus de la semaine" in home and "Tarte aux noix" in home
        assert f"Contient un allergène déclaré pour {hugo.first_name} : fruits à coque" in home


def test_a_parent_cannot_open_the_editor_and_an_agent_has_no_parent_menus(app, client):
    with app.test_request_context():
        town()
        f.login(client, "parent.menus")
        assert client.get(f"{EDITOR}/").status_code in (302, 403)
        assert client.post(f"{EDITOR}/enregistrer", data={}).status_code in (302, 403)
        assert db.session.query(Menu).count() == 0


def test_a_family_never_sees_another_family_s_children_on_the_menus(app, client):
    with app.test_request_context():
        t = town()
        other = f.family("Voisin", t.school, username="parent.voisin", marker="Intrus")
        declare(other.children[0], "nuts")
        declare(t.child, "milk")
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
        f.login(client, "parent.menus")
        for url in ("/famille/menus/", "/famille/menus/?semaine=2026-12-03", "/famille/"):
            text = _text(client.get(url))
            assert "Intrus" not in text, url
            assert f"Contient un allergène déclaré pour {t.child.first_name} : lait" in text


def test_the_weekly_poster_is_an_a4_landscape_pdf_with_allergens_in_words(app, client):
    import io

    from pypdf import PdfReader

    with app.test_request_context():
        t = town()
        _agent(client)
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY, vegetarian=True)
        response = client.get(f"{EDITOR}/affiche?cuisine={t.kitchen.id}&semaine=2026-12-01")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.data))
        box = reader.pages[0].mediabox
        assert float(box.width) > float(box.height)  # landscape
        assert round(float(box.width)) == 842  # A4: 842 × 595 pt
        text = " ".join(reader.pages[0].extract_text().split())
        assert "Menus de la semaine du 30/11/2026" in text
        assert "Tarte aux noix" in text and "fruits à coque" in text
        assert "Repas végétarien" in text


def test_the_managers_report_shows_egalim_shares_and_ordered_vs_served(app, client):
    import json

    from app.models import Attendance, MealOrder
    from app.security.roles import MANAGER

    with app.test_request_context():
        t = town(children=2)
        menu(t.kitchen, THURSDAY - dt.timedelta(days=7), NUT_DESSERT, publish_on=MONDAY,
             vegetarian=True)
        day = THURSDAY - dt.timedelta(days=7)
        for kid in t.family.children:
            b = f.booking(t.family, kid, t.canteen, day)
            b.attendance = Attendance.present if kid is t.child else Attendance.absent_excused
        db.session.add(MealOrder(kitchen_id=t.kitchen.id, day=day, sequence=0, counts=json.dumps(
            {"standard": 2, "no_pork": 0, "vegetarian": 0, "no_meat": 0, "pai_basket": 0,
             "adults": 3})))
        db.session.commit()
        f.user("gestion.menus", MANAGER)
        f.login(client, "gestion.menus")
        page = client.get("/gestion/menus/bilan/?du=2026-11-01&au=2026-11-30")
        assert page.status_code == 200
        doc = lxml_html.fromstring(page.data)
        tables = doc.xpath("//table")
        egalim = [c.text_content().strip() for c in tables[0].xpath(".//tbody/tr[1]/*")]
        # kitchen, meals, vegetarian, dishes, any label, Bio, Label Rouge…
        assert egalim[:7] == ["Cuisine centrale", "1", "1", "3", "100,0 %", "33,3 %", "33,3 %"]
        orders = [c.text_content().strip() for c in tables[1].xpath(".//tbody/tr[1]/*")]
        assert orders == ["26/11/2026", "2", "0", "1", "1"]  # ordered 2, one child present


def test_the_planning_shows_the_month_menus_day_by_day_with_the_warning(app, client):
    with app.test_request_context():
        t = town()
        declare(t.child, "nuts")
        menu(t.kitchen, THURSDAY, NUT_DESSERT, publish_on=MONDAY)
        f.login(client, "parent.menus")
        text = _text(client.get("/famille/planning/2026-12"))
        assert "Menus de la cantine du mois" in text
        assert (f"Attention allergène le 03/12/2026 : {t.child.first_name} : fruits à coque"
                in text)
        assert "Cuisine centrale : 1 jours de menus publiés" in text
        assert "Menus de la cantine du mois" not in _text(client.get("/famille/planning/2026-11"))


def _statements(app, client, count_queries, username: str, url: str) -> int:
    f.login(client, username)
    assert client.get(url).status_code == 200  # warm the caches (permissions, menu)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    client.get("/logout/")
    return counter.count


def test_the_menu_pages_cost_the_same_sql_for_one_or_many_children_and_dishes(
        app, client, count_queries):
    with app.test_request_context():
        t = town()
        big = f.family("Grande", t.school, children=5, username="parent.grande")
        for n in range(5):
            day = MONDAY + dt.timedelta(days=n)
            menu(t.kitchen, day, NUT_DESSERT * (1 + n), publish_on=MONDAY)
        for kid in big.children:
            declare(kid, "nuts", "milk")
            f.booking(big, kid, t.canteen, THURSDAY)
    for url in ("/famille/menus/", "/famille/"):
        small = _statements(app, client, count_queries, "parent.menus", url)
        large = _statements(app, client, count_queries, "parent.grande", url)
        assert small == large, (url, small, large)
