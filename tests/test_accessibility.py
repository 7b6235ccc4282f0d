"""RGAA checks on the HTML the server sends, for every kind of page FAB renders: the portal
layout, FAB's lists, forms and detail pages (through our shadowed templates), the login
page, the home pages and the error page. The browser tests run axe-core on top of this."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import DocumentType, Family, FamilyDocument, News
from app.security.roles import ADMIN, AGENT
from app.services.calendar import local_today
from tests import factories as f

# WAI-ARIA 1.2 roles (abstract roles excluded: they are not allowed in content).
_ROLE_NAMES = """
alert alertdialog application article banner blockquote button caption cell checkbox code
columnheader combobox complementary contentinfo definition deletion dialog directory document
emphasis feed figure form generic grid gridcell group heading img insertion link list listbox
listitem log main marquee math meter menu menubar menuitem menuitemcheckbox menuitemradio
navigation none note option paragraph presentation progressbar radio radiogroup region row
rowgroup rowheader scrollbar search searchbox separator slider spinbutton status strong
subscript superscript switch tab table tablist tabpanel term textbox time timer toolbar
tooltip tree treegrid treeitem
"""
ARIA_ROLES = frozenset(_ROLE_NAMES.split())

_UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


def _text(element) -> str:
    """Text a screen reader reads: aria-hidden subtrees and scripts left out."""
    if element.get("aria-hidden") == "true" or element.tag in ("script", "style"):
        return ""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_text(child))
            if child.tag == "img":
                parts.append(child.get("alt") or "")
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _has_name(element, doc) -> bool:
    if _text(element) or (element.get("aria-label") or "").strip():
        return True
    if (element.get("title") or "").strip():
        return True
    labelledby = (element.get("aria-labelledby") or "").split()
    return any(_text(node) for ref in labelledby for node in doc.xpath(f'//*[@id="{ref}"]'))


def _control_labelled(control, doc) -> bool:
    if (control.get("aria-label") or "").strip() or control.get("aria-labelledby"):
        return True
    if (control.get("title") or "").strip():
        return True
    if next(control.iterancestors("label"), None) is not None:
        return True
    ident = control.get("id")
    return bool(ident) and any(_text(lab) for lab in doc.xpath(f'//label[@for="{ident}"]'))


def audit(page: str, lang: str = "fr") -> list[str]:
    """The faults a person using a screen reader or a keyboard would meet on `page`."""
    doc = lxml_html.document_fromstring(page)
    faults: list[str] = []
    if doc.get("lang") != lang:
        faults.append(f"<html lang> is {doc.get('lang')!r}, expected {lang!r}")
    mains = doc.xpath("//main")
    if len(mains) != 1:
        faults.append(f"{len(mains)} <main> elements")
    h1s = doc.xpath("//h1")
    if len(h1s) != 1:
        faults.append(f"{len(h1s)} <h1> elements: {[_text(h) for h in h1s]}")
    if not doc.xpath("//header") or not doc.xpath("//footer"):
        faults.append("no <header> or <footer> landmark")
    if not (doc.findtext(".//title") or "").strip():
        faults.append("empty <title>")
    links = doc.xpath("//body//a[@href]")
    main_id = mains[0].get("id") if mains else None
    if not links or not main_id or links[0].get("href") != f"#{main_id}":
        faults.append("the first link is not a skip link to <main>")
    for element in doc.xpath("//a[@href] | //button"):
        if not _has_name(element, doc):
            faults.append(f"unnamed {element.tag}: {lxml_html.tostring(element)[:120]!r}")
    for control in doc.xpath("//input | //select | //textarea"):
        if (control.get("type") or "text").lower() in _UNLABELLED_INPUTS:
            continue
        if not _control_labelled(control, doc):
            faults.append(f"unlabelled field: {lxml_html.tostring(control)[:120]!r}")
    for element in doc.xpath("//*[@role]"):
        for role in element.get("role").split():
            if role not in ARIA_ROLES:
                faults.append(f"invalid role {role!r} on <{element.tag}>")
    for table in doc.xpath("//table"):
        if table.get("role") in ("presentation", "none"):
            continue
        if not table.xpath(".//th"):
            faults.append("data table without <th>")
    ids = doc.xpath("//@id")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        faults.append(f"duplicate ids: {duplicates}")
    return faults


# --- the checker itself finds the faults of FAB's stock markup -------------------------

_FAB_STOCK = """<!DOCTYPE html><html><head><title>x</title></head><body>
<header class="top" role="header"><div class="navbar" role="navigation">
<button type="button" class="navbar-toggle"><span class="icon-bar"></span></button></div></header>
<div class="container"><h4>List Users</h4>
<a href="/users/show/1" class="btn"><i class="fa fa-search"></i></a>
<input id="check_all" type="checkbox"><table><tr><td>1</td></tr></table></div>
</body></html>"""


def test_checker_reports_the_faults_of_fab_stock_markup():
    faults = "\n".join(audit(_FAB_STOCK))
    for expected in ("<html lang>", "<main>", "<h1>", "skip link", "unnamed button",
                     "unnamed a", "unlabelled field", "invalid role 'header'",
                     "table without <th>"):
        assert expected in faults, expected


# --- the portal's pages -----------------------------------------------------------------

@pytest.fixture
def data(app):
    """A family with children, news and alerts, staff users, today's bookings."""
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        family = f.family("Durand", school, children=2, username="durand")
        f.user("agent", AGENT)
        f.user("admin", ADMIN)
        service = f.service(schools=[school])
        f.booking(family, family.children[0], service, local_today())
        f.request_row(family, family.children[0])
        f.alert(family, "Inscription validée")
        db.session.add(News(title="Menus", body="Les menus sont en ligne.",
                            published_on=local_today()))
        db.session.commit()
        return {"user_id": app.appbuilder.sm.find_user(username="durand").id}


def _page(client, url: str, username: str | None = None) -> str:
    if username:
        f.login(client, username)
    response = client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


PAGES = [
    ("/login/", None),
    ("/", None),
    ("/accessibilite", None),
    ("/aide/mot-de-passe", None),
    ("/page-qui-n-existe-pas", None),
    ("/famille/", "durand"),
    ("/gestion/", "agent"),
    ("/users/list/", "admin"),
    ("/users/list/?psize_UserDBModelView=1", "admin"),  # pagination
    ("/users/add", "admin"),
    ("/users/show/{user_id}", "admin"),
    ("/users/userinfo/", "agent"),
    ("/resetmypassword/form", "agent"),
    ("/famille/compte/", "durand"),
    ("/roles/list/", "admin"),  # a list with actions (checkboxes)
    ("/roles/show/1", "admin"),
]


@pytest.mark.parametrize(("url", "username"), PAGES)
def test_page_passes_the_checks(app, client, data, url, username):
    page = _page(client, url.format(**data), username)
    assert audit(page) == []


def test_list_page_names_each_icon_link(app, client, data):
    page = _page(client, "/users/list/?psize_UserDBModelView=1", "admin")
    doc = lxml_html.document_fromstring(page)
    names = {_text(a) for a in doc.xpath("//td//a[@href] | //td//button")}
    assert {"Afficher le détail", "Modifier", "Supprimer"} <= names
    pages = {a.get("aria-label") for a in doc.xpath("//nav[@aria-label='Pagination']//a")}
    assert "Page suivante" in pages and "Page précédente" not in pages  # page 1 of 3
    assert doc.xpath("//th[@scope='col']") and doc.xpath("//table/caption")


def test_form_fields_have_labels_and_say_required_in_words(app, client, data):
    page = _page(client, "/users/add", "admin")
    doc = lxml_html.document_fromstring(page)
    first_name = doc.xpath("//input[@id='first_name']")[0]
    label = doc.xpath("//label[@for='first_name']")[0]
    assert "Prénom" in _text(label) and "(obligatoire)" in _text(label)
    assert first_name.get("aria-required") == "true"


def test_form_errors_are_tied_to_their_field(app, client, data):
    f.login(client, "admin")
    page = client.post("/users/add", data={"first_name": ""}).get_data(as_text=True)
    doc = lxml_html.document_fromstring(page)
    field = doc.xpath("//input[@id='first_name']")[0]
    assert field.get("aria-invalid") == "true"
    error = doc.xpath(f"//*[@id='{field.get('aria-describedby').split()[-1]}']")[0]
    assert "Ce champ est requis." in _text(error)  # WTForms' own French catalog


def test_login_form_has_autocomplete_and_forgotten_password_help(client):
    doc = lxml_html.document_fromstring(_page(client, "/login/"))
    assert doc.xpath("//input[@id='username']")[0].get("autocomplete") == "username"
    assert doc.xpath("//input[@id='password']")[0].get("autocomplete") == "current-password"
    link = [a for a in doc.xpath("//a") if _text(a) == "Mot de passe oublié ?"][0]
    help_page = _page(client, link.get("href"))
    assert "02 99 58 81 17" in help_page and "affaires.scolaires@ville-saint-pere.fr" in help_page


def test_layout_shows_the_town_contacts_and_accessibility_statement(client):
    doc = lxml_html.document_fromstring(_page(client, "/"))
    header, footer = _text(doc.xpath("//header")[0]), _text(doc.xpath("//footer")[0])
    assert "Ville de Saint-Père" in header
    assert "Service des affaires scolaires" in footer and "02 99 58 81 17" in footer
    statement = [a for a in doc.xpath("//footer//a")
                 if _text(a) == "Accessibilité : non conforme"][0]
    statement = _page(client, statement.get("href"))
    # The RGAA model's sections; « non conforme » as long as no RGAA audit was made.
    for section in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Établissement de cette déclaration", "information et contact",
                    "Voies de recours", "Défenseur des droits", "axe-core", "Playwright"):
        assert section in statement, section
    assert "est non conforme avec le RGAA" in statement


def test_flash_messages_say_their_kind_in_words(app, client, data):
    client.post("/login/", data={"username": "durand", "password": "faux"})
    doc = lxml_html.document_fromstring(_page(client, "/login/"))
    alert = doc.xpath("//div[contains(@class, 'alert')]")[0]
    assert alert.get("role") == "alert"
    assert _text(alert).startswith("Attention :")
    assert "Identifiant ou mot de passe incorrect" in _text(alert)


# --- colours ----------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_palette_contrasts_reach_rgaa_levels():
    css = (Path(__file__).parent.parent / "app/static/css/portal.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    white = "#ffffff"
    for text, background in [("text", white), ("muted", white), ("blue", white),
                             (white, "blue"), (white, "blue-dark"), ("danger", white),
                             ("blue-dark", "blue-light")]:
        fg, bg = colours.get(text, text), colours.get(background, background)
        assert contrast(fg, bg) >= 4.5, (text, background)
    assert contrast(colours["border"], white) >= 3  # field borders (RGAA 3.3)


def _rule(css: str, selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"([\w-]+):\s*([^;]+);", block))


def test_unread_badge_and_state_buttons_reach_4_5_to_1():
    """The menu's unread badge was Bootstrap's grey (#777 on white text: 4.47:1)."""
    css = (Path(__file__).parent.parent / "app/static/css/portal.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))

    def colour(value: str) -> str:
        value = value.strip()
        value = colours[value[6:-1]] if value.startswith("var(--") else value
        return "#ffffff" if value == "#fff" else value

    badge = _rule(css, ".badge.portal-unread")
    assert contrast(colour(badge["color"]), colour(badge["background"])) >= 4.5
    for on_blue in (colours["blue"], colours["blue-dark"], "#ffffff"):  # the bar, a dropdown
        assert contrast(colour(badge["background"]), on_blue) >= 3 or \
            contrast(colour(badge["border"].split()[-1]), on_blue) >= 3
    success = _rule(css, ".btn-success")
    assert contrast(colour(success["color"]), colour(success["background"])) >= 4.5


def test_focus_is_always_visible():
    css = (Path(__file__).parent.parent / "app/static/css/portal.css").read_text()
    rule = re.search(r"a:focus, button:focus[^{]*\{([^}]*)\}", css)
    assert rule and "outline: 3px solid" in rule.group(1)
    assert "outline: none" not in css.replace("main:focus { outline: none; }", "")


def test_parent_home_lists_only_the_family_data(app, client, data):
    with app.app_context():
        other_school = f.school("École Sainte-Thérèse")
        other = f.family("Martin", other_school, username="martin")
        f.alert(other, "Alerte Martin")
        db.session.add_all([
            News(title="Sortie Sainte-Thérèse", body="x", published_on=local_today(),
                 school=other_school),
            News(title="Actualité future", body="x",
                 published_on=local_today() + dt.timedelta(days=1)),
        ])
        db.session.commit()
    page = _text(lxml_html.document_fromstring(_page(client, "/famille/", "durand")).body)
    assert "DurandEnfant0" in page and "DurandEnfant1" in page
    assert "École Théodore Chalmel" in page and "classe : CP" in page
    assert "Menus" in page and "Inscription validée" in page and "1 alerte non lue" in page
    for foreign in ("Martin", "Sainte-Thérèse", "Actualité future"):
        assert foreign not in page


def test_staff_home_counts_the_work_of_the_day(app, client, data):
    with app.app_context():
        family = db.session.query(Family).first()
        db.session.add(FamilyDocument(family=family, document_type_id=_document_type(),
                                      original_filename="qf.pdf", stored_name="abc",
                                      content_type="application/pdf", size=10))
        db.session.commit()
    doc = lxml_html.document_fromstring(_page(client, "/gestion/", "agent"))
    figures = [" ".join(_text(p) for p in fig.xpath("./p[position() <= 2]"))
               for fig in doc.xpath("//div[@class='portal-figure']")]
    assert "1 demande en attente" in figures and "1 document à vérifier" in figures
    row = [_text(td) for td in
           doc.xpath("//section[@aria-labelledby='dash-today']//table//tbody/tr[1]/td")]
    assert row[0] == "École Théodore Chalmel" and row[2] == "1" and row[3] == "100"


def test_staff_home_links_to_the_filtered_lists(app, client, data):
    with app.app_context():
        family = db.session.query(Family).first()
        f.request_row(family, summary="Demande déjà refusée").state = "refused"
        db.session.commit()
    doc = lxml_html.document_fromstring(_page(client, "/gestion/", "agent"))
    link = [a for a in doc.xpath("//main//a") if _text(a) == "Voir les demandes en attente"][0]
    listed = client.get(link.get("href")).get_data(as_text=True)
    assert "Demande Famille Durand" in listed and "Demande déjà refusée" not in listed


@pytest.mark.parametrize(("url", "username"), [
    ("/login/", None), ("/famille/", "durand"), ("/gestion/", "agent"),
    ("/users/list/", "admin"), ("/page-qui-n-existe-pas", None),
])
def test_english_pages_pass_the_checks(app, client, data, url, username):
    if username:
        f.login(client, username)
    client.get("/lang/en")
    assert audit(client.get(url).get_data(as_text=True), lang="en") == []


def _document_type() -> int:
    kind = DocumentType(code="qf", label="Attestation QF")
    db.session.add(kind)
    db.session.commit()
    return kind.id


def _list_urls(app, prefixes: tuple[str, ...]) -> list[str]:
    from flask_appbuilder import ModelView

    with app.test_request_context():
        from flask import url_for

        return [url_for(f"{type(v).__name__}.list") for v in app.appbuilder.baseviews
                if isinstance(v, ModelView) and type(v).__name__.startswith(prefixes)]


def test_every_back_office_list_and_add_form_passes_the_checks(app, client, data):
    f.login(client, "admin")
    faults = {}
    for url in _list_urls(app, ("Staff", "Finance")):
        for page_url in (url, url.replace("/list/", "/add")):
            response = client.get(page_url)
            if response.status_code == 200:
                faults[page_url] = audit(response.get_data(as_text=True))
    assert faults and {url: found for url, found in faults.items() if found} == {}


def test_every_parent_list_passes_the_checks(app, client, data):
    f.login(client, "durand")
    faults = {}
    for url in _list_urls(app, ("Parent",)):
        response = client.get(url)
        assert response.status_code == 200, url
        faults[url] = audit(response.get_data(as_text=True))
    assert faults and {url: found for url, found in faults.items() if found} == {}
