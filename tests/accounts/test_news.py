"""Actualités: a parent reads the news in force for every school and for their children's
schools, newest first."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import News
from app.services.calendar import local_today
from tests import factories as f


def test_the_parent_reads_the_news_of_all_schools_and_of_their_childrens(app, client, world):
    today = local_today()
    with app.app_context():
        db.session.add_all([
            News(title="Rentrée des classes", body="Lundi 8 h 30", published_on=today),
            News(title="Sortie à Chalmel", body="Jeudi", school_id=world.school_id,
                 published_on=today - dt.timedelta(days=1)),
            News(title="Kermesse Sainte-Thérèse", body="Samedi", school_id=world.other_school_id,
                 published_on=today),
            News(title="Annonce future", body="…", published_on=today + dt.timedelta(days=3)),
            News(title="Annonce retirée", body="…", published_on=today - dt.timedelta(days=9),
                 unpublished_on=today),
        ])
        db.session.commit()
    f.login(client, "martin")

    page = client.get("/famille/actualites/").get_data(as_text=True)

    assert page.index("Rentrée des classes") < page.index("Sortie à Chalmel")
    for hidden in ("Kermesse", "Annonce future", "Annonce retirée"):
        assert hidden not in page
