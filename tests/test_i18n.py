"""Languages: French by default and complete (FAB's own strings included), English from the
language switch, catalogs compiled and up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext
from lxml import html as lxml_html

from app.security.roles import AGENT
from app.services.calendar import local_today
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "translations"


def _sync_module():
    spec = importlib.util.spec_from_file_location("translations_sync", CATALOGS / "sync.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def _hashable(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def _doc(response):
    return lxml_html.document_fromstring(response.get_data(as_text=True))


def test_login_page_is_french_by_default(client):
    doc = _doc(client.get("/login/"))
    assert doc.get("lang") == "fr"
    assert doc.findtext(".//h1").strip() == "Connexion"  # FAB's "Sign In" (FAB says S'enregistrer)
    labels = [label.text_content().strip() for label in doc.xpath("//label")]
    assert labels == ["Identifiant", "Mot de passe"]
    assert doc.xpath("//button[@type='submit']")[0].text_content().strip() == "Se connecter"


def test_language_switch_is_text_and_switches_to_english(client):
    doc = _doc(client.get("/login/"))
    switch = [a for a in doc.xpath("//header//a") if a.text_content().strip() == "English"]
    assert switch and switch[0].get("lang") == "en"

    client.get(switch[0].get("href"))
    doc = _doc(client.get("/login/"))
    assert doc.get("lang") == "en"
    assert doc.findtext(".//h1").strip() == "Sign In"
    labels = [label.text_content().strip() for label in doc.xpath("//label")]
    assert labels == ["User Name", "Password"]
    assert "Log in" in doc.text_content()
    assert [a for a in doc.xpath("//header//a") if a.text_content().strip() == "Français"]


def test_parent_space_in_english(app, client):
    with app.app_context():
        f.family("Durand", f.school(), username="durand")
    f.login(client, "durand")
    client.get("/lang/en")
    doc = _doc(client.get("/famille/"))
    assert doc.findtext(".//h1").strip() == "Home"
    assert "My children" in doc.text_content()


def test_staff_dashboard_date_is_in_french(app, client):
    with app.app_context():
        f.user("agent", AGENT)
    f.login(client, "agent")
    page = client.get("/gestion/").get_data(as_text=True)
    today = format_date(local_today(), "full", locale="fr")
    assert today[:1].upper() + today[1:] in page


def test_french_catalog_has_no_untranslated_or_fuzzy_entry():
    catalog = _catalog("fr")
    missing = [m.id for m in catalog if m.id and (not _translated(m) or m.fuzzy)]
    assert missing == [], f"run `make translations` and translate these: {missing}"


# The layout, the error pages and the home pages: every page shows them.
_LAYOUT = ("app/templates/portal/", "app/templates/appbuilder/", "app/templates/errors/",
           "app/templates/parent/home.html", "app/templates/staff/home.html", "app/errors.py")


def test_english_catalog_translates_the_layout_and_has_no_fuzzy_entry():
    catalog = _catalog("en")
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    missing = [m.id for m in catalog if m.id and not _translated(m)
               and any(path.startswith(_LAYOUT) for path, _ in m.locations)]
    assert missing == [], f"translate these in translations/en: {missing}"


def test_french_catalog_translates_every_fab_string():
    ours = {m.id: m for m in _catalog("fr") if m.id}
    fab = _sync_module().fab_catalog()
    missing = [m.id for m in fab if m.id and not (m.id in ours and _translated(ours[m.id]))]
    assert missing == []


def test_our_catalog_wins_over_fab_catalog(app):
    with app.test_request_context(), force_locale("fr"):
        assert gettext("Record Count") == "Nombre de résultats"  # FAB: "Nombre de record"
        assert gettext("Sign In") == "Connexion"  # FAB: "S'enregistrer"
        assert gettext("Edit") == "Modifier"  # missing from FAB's catalog
    with app.test_request_context(), force_locale("en"):
        assert gettext("Page introuvable") == "Page not found"


def test_catalogs_cover_every_source_string():
    sources = _sync_module().source_catalog()
    catalog = _catalog("fr")
    missing = [m.id for m in sources if m.id and m.id not in catalog]
    assert missing == [], f"run `make translations`: {missing}"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_compiled_catalog_matches_its_po(locale):
    po = _catalog(locale)
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        mo = read_mo(handle)
    expected = {_hashable(m.id): _hashable(m.string) for m in po
                if m.id and _translated(m) and not m.fuzzy}
    compiled = {_hashable(m.id): _hashable(m.string) for m in mo if m.id}
    assert compiled == expected, "run `make translations` to compile the .mo files"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_translations_keep_the_placeholders(locale):
    """A translation with a wrong %(name)s would crash the page that shows it."""
    errors = [(message.id, [str(e) for e in problems])
              for message, problems in _catalog(locale).check()]
    assert errors == []
