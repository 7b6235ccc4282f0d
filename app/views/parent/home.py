"""Accueil of the parent space: the family, its children, the news, the latest alerts, the
structure's information page (staff's « Informations pratiques ») and its published
documents.

Every query is scoped with `family_clause`; the page costs a fixed number of queries
whatever the number of children.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Alert, Child, Family, News, PublishedDocument
from ...security.scope import family_clause
from ...services.calendar import local_today
from ...services.documents.queries import published_for_schools
from ...services.news import structure_info
from ..home import list_url

NEWS_SHOWN = 5
ALERTS_SHOWN = 5
DOCUMENTS_SHOWN = 10


def published_news(today: dt.date, limit: int = NEWS_SHOWN) -> list[News]:
    """News in force today, for every school or for a school of the family's children."""
    schools = select(Child.school_id).where(family_clause(Child))
    return (
        db.session.query(News)
        .filter(
            News.published_on <= today,
            or_(News.unpublished_on.is_(None), News.unpublished_on > today),
            or_(News.school_id.is_(None), News.school_id.in_(schools)),
        )
        .order_by(News.published_on.desc(), News.id.desc())
        .limit(limit)
        .all()
    )


def home_menus(children: list[Child]):
    """The week's menus (next week's from Saturday on), see app.services.menus.week."""
    from ...services.menus.week import family_week, week_monday

    today = local_today()
    return family_week(children, week_monday(today + dt.timedelta(days=2)), today)


class ParentHomeView(BaseView):
    route_base = "/famille"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        families = (
            db.session.query(Family).filter(family_clause(Family)).order_by(Family.name).all()
        )
        children = (
            db.session.query(Child)
            .options(joinedload(Child.school))
            .filter(family_clause(Child))
            .order_by(Child.first_name, Child.id)
            .all()
        )
        unread = (
            db.session.query(func.count(Alert.id))
            .filter(family_clause(Alert), Alert.read_at.is_(None))
            .scalar()
        )
        alerts = (
            db.session.query(Alert)
            .filter(family_clause(Alert))
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(ALERTS_SHOWN)
            .all()
        )
        return self.render_template(
            "parent/home.html",
            families=families,
            children=children,
            news=published_news(local_today()),
            unread_alerts=unread,
            alerts=alerts,
            alerts_url=list_url("ParentAlertView"),
            menu_weeks=home_menus(children),
            info=structure_info(),
            published=published_for_schools({c.school_id for c in children})
            .options(joinedload(PublishedDocument.school)).limit(DOCUMENTS_SHOWN).all(),
        )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(ParentHomeView())
