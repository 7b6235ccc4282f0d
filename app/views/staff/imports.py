"""Import of families from the previous system (manager): upload, column mapping, dry
run, background run with its progress bar, invitations (app.services.family_import)."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import FamilyImport, ImportState
from ...services.errors import CommandError
from ...services.family_import.commands import CheckImport, InviteImported, UploadImport
from ...services.family_import.fields import FIELDS, MATCHING_RULES, saved_mapping
from ...services.family_import.files import MAX_BYTES, header_of
from ...services.family_import.jobs import import_job_of, start_family_import
from ...services.family_import.queries import (
    import_status,
    imported_guardians,
    preview_counts,
    recent_imports,
    refused_lines,
)
from ...services.jobs import job_status
from .common import add_menu_view


def _user_id() -> int | None:
    user = getattr(g, "user", None)
    return getattr(user, "id", None)


def _record(pk: int) -> FamilyImport:
    record = db.session.get(FamilyImport, pk)
    if record is None:
        abort(404)
    return record


class FinanceImportView(BaseView):
    route_base = "/gestion/import"
    default_view = "index"

    def _index(self, errors=None, status=200):
        return self.render_template(
            "staff/imports.html", imports=recent_imports(), states=ImportState,
            rules=MATCHING_RULES, fields=FIELDS, errors=errors,
            max_mb=MAX_BYTES // (1024 * 1024), title=_("Importer des familles")), status

    @expose("/")
    @has_access
    def index(self):
        return self._index()

    @expose("/", methods=["POST"])
    @has_access
    def upload(self):
        file = request.files.get("file")
        content = file.read(MAX_BYTES + 1) if file else b""
        try:
            record = UploadImport(file.filename if file else "", content, _user_id()).run()
        except CommandError as refused:
            return self._index(refused, 400)
        return redirect(url_for(".mapping", pk=record.id), 303)

    def _mapping(self, record, mapping, errors=None, status=200):
        return self.render_template(
            "staff/imports_mapping.html", record=record, fields=FIELDS, mapping=mapping,
            headers=header_of(record.filename, record.content), rules=MATCHING_RULES,
            errors=errors, title=_("Correspondance des colonnes")), status

    @expose("/<int:pk>/colonnes")
    @has_access
    def mapping(self, pk: int):
        return self._mapping(_record(pk), saved_mapping())

    @expose("/<int:pk>/colonnes", methods=["POST"])
    @has_access
    def check(self, pk: int):
        record = _record(pk)
        mapping = {name: request.form.get(f"map_{name}", "") for name in FIELDS}
        try:
            CheckImport(record.id, mapping, _user_id()).run()
        except CommandError as refused:
            return self._mapping(record, mapping, refused, 400)
        return redirect(url_for(".show", pk=record.id), 303)

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        record = _record(pk)
        job = import_job_of(record.id)
        return self.render_template(
            "staff/imports_show.html", record=record, states=ImportState, job=job,
            job_state=job_status(job) if job else None,
            refused=refused_lines(record), preview=preview_counts(record),
            status=import_status(record), guardians=imported_guardians(record),
            rules=MATCHING_RULES, title=_("Import « %(name)s »", name=record.filename))

    @expose("/<int:pk>/lancer", methods=["POST"])
    @has_access
    def start(self, pk: int):
        try:
            start_family_import(_record(pk).id, _user_id())
        except CommandError as refused:
            flash(refused.message, "danger")
            return redirect(url_for(".show", pk=pk), 303)
        flash(_("Import lancé : suivez son avancement ci-dessous."), "info")
        return redirect(url_for(".show", pk=pk), 303)

    @expose("/<int:pk>/etat")
    @has_access
    def status(self, pk: int):
        return jsonify(import_status(_record(pk)))

    @expose("/<int:pk>/inviter", methods=["POST"])
    @has_access
    def invite(self, pk: int):
        chosen = None if request.form.get("all") else [
            int(v) for v in request.form.getlist("guardian") if v.isdigit()]
        try:
            count = InviteImported(_record(pk).id, chosen, _user_id()).run()
        except CommandError as refused:
            flash(refused.message, "danger")
        else:
            flash(_("%(num)d invitation(s) envoyée(s).", num=count), "success")
        return redirect(url_for(".show", pk=pk), 303)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinanceImportView, _l("Importer des familles"), "Familles",
                  "fa-upload")
