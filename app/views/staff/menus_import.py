"""Import of the caterer's menu file (CSV / XLSX) with a column mapping: every bad row is
listed with its line number and nothing is imported (app.services.menus.imports)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from ...services.calendar import local_now
from ...services.errors import CommandError
from ...services.menus.imports import FIELDS, MAX_BYTES, ImportCatererFile, default_mapping
from .menus import _kitchens, _pick_kitchen


class StaffMenuImportView(BaseView):
    route_base = "/gestion/menus/import"
    default_view = "form"

    def _page(self, kitchen_id, mapping, errors=None, status=200):
        kitchens = _kitchens()
        return self.render_template(
            "staff/menus_import.html", kitchens=kitchens,
            kitchen=_pick_kitchen(kitchen_id, kitchens), fields=FIELDS, mapping=mapping,
            errors=errors, max_mb=MAX_BYTES // (1024 * 1024),
        ), status

    @expose("/")
    @has_access
    @permission_name("list")
    def form(self):
        return self._page(request.args.get("cuisine"), default_mapping())

    @expose("/", methods=["POST"])
    @has_access
    @permission_name("edit")
    def upload(self):
        file = request.files.get("file")
        content = file.read(MAX_BYTES + 1) if file else b""
        mapping = {name: request.form.get(f"map_{name}", "") for name in FIELDS}
        kitchen_id = request.form.get("cuisine")
        try:
            result = ImportCatererFile(kitchen_id, file.filename if file else "", content,
                                       mapping, local_now()).run()
        except CommandError as refused:
            return self._page(kitchen_id, mapping, refused, 400)
        flash(_("Import réussi : %(days)s jours, %(dishes)s plats.", days=result.days,
                dishes=result.dishes), "success")
        return redirect(url_for("StaffMenuView.week", cuisine=kitchen_id), 303)
