"""Names found as people type them (app/services/search.py, app/views/staff/names.py):
without case or accents, anywhere in the name, by default; sorted in French order. Run on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import Child, Family, Guardian
from app.security.roles import AGENT
from app.services.search import normalise
from tests import factories as f

FAMILIES = "/gestion/familles/list/"
CHILDREN = "/gestion/enfants/list/"
GUARDIANS = "/gestion/responsables/list/"


@pytest.fixture
def agent(app):
    with app.app_context():
        school = f.school("École Théodore Chalmel")
        for name in ("Guillou", "Guérin", "Martin", "Gauthier", "Lefèvre-Œuvray"):
            fam = f.family(name, school, children=1, username=None)
            fam.children[0].first_name = {"Guérin": "Léa", "Martin": "Élodie"}.get(name, "Paul")
            db.session.add(Guardian(family=fam, first_name="Anaïs", last_name=name))
        db.session.commit()
        f.user("agent1", AGENT)
    client = app.test_client()
    f.login(client, "agent1")
    return client


def _names(client, url) -> list[str]:
    document = lxml_html.document_fromstring(client.get(url).get_data(as_text=True))
    return [" ".join(tr.text_content().split())
            for tr in document.xpath("//table[contains(@class,'portal-table')]/tbody/tr")]


def test_normalise_drops_case_accents_and_ligatures():
    assert normalise("  Famille GUÉRIN ") == "famille guerin"
    assert normalise("Lefèvre-Œuvray") == "lefevre-oeuvray"
    assert normalise("Anaïs  Çavaş") == "anais cavas"


def test_every_name_gets_its_search_name_on_insert_and_update(app):
    with app.app_context():
        fam = f.family("Guérin", f.school("École"), children=1)
        assert fam.search_name == "famille guerin"
        assert fam.children[0].search_name == "guerin guerinenfant0"
        fam.name = "Famille Lefèvre"
        fam.children[0].first_name = "Zoé"
        db.session.commit()
        assert db.session.get(Family, fam.id).search_name == "famille lefevre"
        assert db.session.get(Child, fam.children[0].id).search_name == "guerin zoe"


def test_guerin_finds_guerin_and_martin_finds_famille_martin(agent):
    # the first filter of a name column (the one the search form offers first)
    found = _names(agent, f"{FAMILIES}?_flt_0_name=guerin")
    assert len(found) == 1 and "Famille Guérin" in found[0]
    found = _names(agent, f"{FAMILIES}?_flt_0_name=martin")
    assert len(found) == 1 and "Famille Martin" in found[0]
    assert len(_names(agent, f"{FAMILIES}?_flt_0_name=OEUVRAY")) == 1
    assert len(_names(agent, f"{FAMILIES}?_flt_0_name=100%")) == 0  # LIKE wildcards are text
    children = _names(agent, f"{CHILDREN}?_flt_0_last_name=GUERIN")
    assert len(children) == 1 and "Guérin" in children[0]
    assert len(_names(agent, f"{CHILDREN}?_flt_0_first_name=elodie")) == 1
    assert len(_names(agent, f"{GUARDIANS}?_flt_0_last_name=guérin")) == 1


def test_the_search_form_offers_contains_first(agent):
    page = agent.get(FAMILIES).get_data(as_text=True)
    filters = re.search(r'"name":\s*\[(.*?)\]', page)
    assert filters and filters.group(1).split(",")[0].strip().strip('"') == "Contient"


def test_lists_sort_in_french_order(agent):
    order = ["Gauthier", "Guérin", "Guillou", "Lefèvre", "Martin"]
    assert [_which(r) for r in _names(agent, FAMILIES)] == order
    by_column = _names(agent, f"{FAMILIES}?_oc_StaffFamilyView=name&_od_StaffFamilyView=desc")
    assert "Martin" in by_column[0] and "Gauthier" in by_column[-1]
    assert [_which(r) for r in _names(agent, CHILDREN)] == order
    assert [_which(r) for r in _names(agent, GUARDIANS)] == order


def _which(row: str) -> str:
    return next(n for n in ("Gauthier", "Guérin", "Guillou", "Lefèvre", "Martin") if n in row)
