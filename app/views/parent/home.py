"""Accueil of the parent space."""

from __future__ import annotations

from flask_appbuilder import AppBuilder, BaseView, expose, has_access

from ...extensions import db
from ...models import Child, Family
from ...security.scope import family_clause


class ParentHomeView(BaseView):
    route_base = "/famille"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        families = db.session.query(Family).filter(family_clause(Family)).all()
        children = (
            db.session.query(Child).filter(family_clause(Child)).order_by(Child.first_name).all()
        )
        return self.render_template(
            "parent/home.html", families=families, children=children
        )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(ParentHomeView())
