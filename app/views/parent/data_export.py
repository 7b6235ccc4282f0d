"""« Mes données » (RGPD art. 15 and 20): the family downloads everything the portal holds
about it, as one ZIP archive (data as JSON, its documents). Only the parent's own family."""

from __future__ import annotations

from flask import Response, abort
from flask_appbuilder import AppBuilder, BaseView, expose, has_access

from ...services.calendar import local_now
from ...services.gdpr import family_archive
from .planning_grid import family_id


class ParentDataExportView(BaseView):
    route_base = "/famille/mes-donnees"
    default_view = "archive"

    @expose("/archive")
    @has_access
    def archive(self):
        family = family_id()
        if family is None:
            abort(404)
        now = local_now()
        response = Response(family_archive(family, now), mimetype="application/zip")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="mes-donnees-portail-famille-{now:%Y%m%d}.zip"')
        response.headers["Cache-Control"] = "no-store"
        return response


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(ParentDataExportView())
