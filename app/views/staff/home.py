"""Back office home: the day's figures and the work waiting for staff."""

from __future__ import annotations

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l


class StaffHomeView(BaseView):
    route_base = "/gestion"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("staff/home.html")


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffHomeView())
    appbuilder.add_link(
        "StaffHome", label=_l("Tableau de bord"), href="/gestion/", category="Accueil",
        category_label=_l("Accueil"),
    )
