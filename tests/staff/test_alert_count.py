"""« Alertes (2 non lues) » in the parent's menu: the family's unread alerts only, in one
query, and nothing for staff."""

from __future__ import annotations

from lxml import html as lxml_html

from app.extensions import db
from app.models import Alert
from app.models.base import utcnow
from tests import factories as f

from .data import queue_town


def _menu_entries(response) -> list[str]:
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return [" ".join(a.text_content().split()) for a in document.xpath("//nav//a")]


def _alert_statements(counter) -> list[str]:
    """The menu's count (the home page also counts alerts, for its own block)."""
    return [s for s in counter.statements if "from alert join guardian" in " ".join(
        s.lower().split())]


def test_the_menu_counts_the_familys_unread_alerts(app, client, count_queries):
    with app.app_context():
        _school, _canteen, (mine, theirs) = queue_town(families=2)
        for title in ("Un", "Deux"):
            f.alert(mine, title)
        read = f.alert(mine, "Lue")
        read.read_at = utcnow()
        for _n in range(3):
            f.alert(theirs)
        db.session.commit()
        first = db.session.query(Alert).filter_by(title="Un").one().id
    f.login(client, "parent0")
    client.get("/famille/")
    with count_queries() as counter:
        page = client.get("/famille/")
    assert "Alertes (2 non lues)" in _menu_entries(page)
    assert len(_alert_statements(counter)) == 1
    client.post("/parentalertview/action_post", data={"action": "mark_read", "rowid": [first]})
    assert "Alertes (1 non lue)" in _menu_entries(client.get("/famille/"))
    client.get("/logout/")
    f.login(client, "parent1")
    assert "Alertes (3 non lues)" in _menu_entries(client.get("/famille/"))


def test_no_count_without_unread_alerts_nor_for_staff(app, client, count_queries):
    with app.app_context():
        queue_town(families=1)
    f.login(client, "parent0")
    entries = _menu_entries(client.get("/famille/"))
    assert "Alertes" in entries and not any("non lue" in e for e in entries)
    client.get("/logout/")
    f.login(client, "agent1")
    client.get("/gestion/")
    with count_queries() as counter:
        client.get("/gestion/")
    assert _alert_statements(counter) == []
