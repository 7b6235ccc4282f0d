"""Actualités: every news item in force for the family (all schools, or one of its
children's schools), newest first. The home page shows the latest few."""

from __future__ import annotations

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from .home import published_news
from .planning_grid import portal_now

NEWS_PAGE = 50


class ParentNewsView(BaseView):
    route_base = "/famille/actualites"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        news = published_news(portal_now().date(), limit=NEWS_PAGE)
        return self.render_template("parent/news.html", news=news)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentNewsView, "ParentNews", label=_l("Actualités"),
                        icon="fa-newspaper-o")
