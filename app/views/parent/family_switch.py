"""The household switch of a guardian of several families (separated parents): the
single-household pages (planning, inscriptions, Mon compte, documents) act for the family
chosen here, and show which one it is (app.security.scope)."""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _

from ...security.scope import choose_family, family_switch


def _local_path(target: str | None) -> str:
    """Back to the page the guardian was on: a path of this site only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/famille/"


class ParentFamilySwitchView(BaseView):
    route_base = "/famille/foyer"
    default_view = "choose"

    @expose("/", methods=["POST"])
    @has_access
    def choose(self):
        if not choose_family(request.form.get("family", type=int)):
            flash(_("Ce foyer n'est pas le vôtre."), "danger")
        return redirect(_local_path(request.form.get("next")), 303)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(ParentFamilySwitchView)
    app: Flask = current_app._get_current_object()  # inside create_app's app context
    app.context_processor(lambda: {"family_switch": family_switch})
