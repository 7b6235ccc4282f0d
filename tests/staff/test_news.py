"""Actualités written by staff: the FAB form hands its item to the commands of
app.services.news (SaveNews, DeleteNews), which refuse bad dates in French and write
nothing then."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import News
from app.security.roles import AGENT
from tests import factories as f

NEWS = "/gestion/actualites"


@pytest.fixture
def agent(app):
    with app.app_context():
        f.user("agent", AGENT)
        db.session.commit()
    client = app.test_client()
    f.login(client, "agent")
    return client


def test_an_agent_publishes_edits_and_deletes_a_news_item(app, agent):
    response = agent.post(f"{NEWS}/add", data={
        "title": "Rentrée", "body": "Lundi à 8 h 30", "published_on": "2026-11-26"})
    assert response.status_code == 302
    with app.app_context():
        news = db.session.query(News).one()
        assert (news.title, news.created_by_id is not None) == ("Rentrée", True)
        news_id = news.id
    agent.post(f"{NEWS}/edit/{news_id}", data={
        "title": "Rentrée des classes", "body": "Lundi", "published_on": "2026-11-26"})
    with app.app_context():
        assert db.session.get(News, news_id).title == "Rentrée des classes"
    agent.post(f"{NEWS}/delete/{news_id}")
    with app.app_context():
        assert db.session.query(News).count() == 0


def test_a_news_withdrawn_before_it_is_published_is_refused(app, agent):
    response = agent.post(f"{NEWS}/add", data={
        "title": "Kermesse", "body": "Samedi", "published_on": "2026-11-26",
        "unpublished_on": "2026-11-20"}, follow_redirects=True)
    assert ("La date de retrait doit être postérieure à la date de publication"
            in html.unescape(response.get_data(as_text=True)))
    with app.app_context():
        assert db.session.query(News).count() == 0
