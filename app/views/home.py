"""The index: parents land on their space, staff on the back office."""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import AppBuilder, IndexView, expose
from flask_login import current_user

from ..security.roles import is_parent, is_staff


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


def register(appbuilder: AppBuilder) -> None:
    """The index view is set through FAB_INDEX_VIEW; nothing else to add here."""
