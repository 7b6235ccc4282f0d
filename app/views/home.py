"""The index: parents land on their space, staff on the back office. Also the public pages
every layout links to (accessibility statement, forgotten password) and the values every
template needs (current language, the town and the service's contacts)."""

from __future__ import annotations

from flask import Flask, current_app, redirect, url_for
from flask_appbuilder import AppBuilder, IndexView, expose
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError

from ..security.roles import is_parent, is_staff
from ..services.town import service_contacts


class HomeIndexView(IndexView):
    route_base = ""
    index_template = "portal/index_public.html"

    @expose("/")
    def index(self):
        if current_user.is_authenticated:
            if is_staff(current_user):
                return redirect(url_for("StaffHomeView.index"))
            if is_parent(current_user):
                return redirect(url_for("ParentHomeView.index"))
        return self.render_template(self.index_template, appbuilder=self.appbuilder)

    @expose("/accessibilite")
    def accessibility(self):
        """Déclaration d'accessibilité (linked from every footer, as the RGAA requires)."""
        return self.render_template("portal/accessibility.html")

    @expose("/aide/mot-de-passe")
    def password_help(self):
        return self.render_template("portal/password_help.html")


def list_url(view_name: str, **equal_filters: str) -> str | None:
    """URL of a FAB view's list, filtered with "equal to" on the given columns; None when the
    view is not registered (yet) or the user may not list it. Lets home pages link to views
    other modules add, without depending on them."""
    appbuilder = current_app.appbuilder
    view = next((v for v in appbuilder.baseviews if type(v).__name__ == view_name), None)
    if view is None or not appbuilder.sm.has_access("can_list", view_name):
        return None
    searchable = view._filters.get_search_filters() if getattr(view, "_filters", None) else {}
    args = {}
    for column, value in equal_filters.items():
        for index, flt in enumerate(searchable.get(column, [])):
            if flt.arg_name == "eq":
                args[f"_flt_{index}_{column}"] = value
                break
    try:
        return url_for(f"{view.endpoint}.list", **args)
    except BuildError:
        return None


def portal_context() -> dict:
    config = current_app.config
    return {
        "current_locale": str(get_locale() or config.get("BABEL_DEFAULT_LOCALE", "fr")),
        "portal": service_contacts(),
    }


def register(appbuilder: AppBuilder) -> None:
    """The index view itself is set through FAB_INDEX_VIEW; this adds the template values."""
    app: Flask = current_app._get_current_object()  # called inside create_app's app context
    app.context_processor(portal_context)
