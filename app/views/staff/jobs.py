"""Background jobs in the back office (app.services.jobs): a job's page (progress bar, then
its French report), the JSON its progress bar polls, « Relancer » for a failed job, and
« Télécharger » for a finished export job (app.services.exports.jobs).

Managers (and admins) only: jobs are the managers' long actions (billing, imports,
exports…). An export's file is its starter's (and the admins'): anyone else gets a 404."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _

from ...extensions import db
from ...models import Job
from ...security.roles import is_admin
from ...services.errors import CommandError
from ...services.exports.jobs import export_download, may_download, provide_lists
from ...services.jobs import job_status, retry_job
from ..base import StaffModelView
from ..downloads import attachment


def _job(pk: int) -> Job:
    job = db.session.get(Job, pk)
    if job is None:
        abort(404)
    return job


class StaffJobView(BaseView):
    route_base = "/gestion/travaux"
    default_view = "show"

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        job = _job(pk)
        downloadable = job.state == "done" and may_download(job, g.user.id, is_admin(g.user))
        return self.render_template("staff/jobs.html", job=job, status=job_status(job),
                                    downloadable=downloadable,
                                    title=_("Travail en arrière-plan n° %(id)d", id=job.id))

    @expose("/<int:pk>/etat")
    @has_access
    def status(self, pk: int):
        return jsonify(job_status(_job(pk)))

    @expose("/<int:pk>/relancer", methods=["POST"])
    @has_access
    def retry(self, pk: int):
        _job(pk)
        try:
            retry_job(pk)
        except CommandError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("Travail relancé : suivez son avancement ci-dessous."), "info")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/fichier")
    @has_access
    def download(self, pk: int):
        try:
            found = export_download(pk, g.user.id, is_admin(g.user))
        except CommandError as exc:
            flash(exc.message, "warning")
            return redirect(url_for(".show", pk=pk))
        if found is None:
            abort(404)
        return attachment(found.path, found.name, found.mimetype)  # its starter's file


def _export_table(appbuilder: AppBuilder, name: str, args: list[tuple[str, str]]):
    """A staff list's export rebuilt from its saved arguments (an export job's worker)."""
    for view in appbuilder.baseviews:
        if type(view).__name__ == name and isinstance(view, StaffModelView):
            return view.export_table(args)
    return None


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffJobView)
    provide_lists(lambda name, args: _export_table(appbuilder, name, args))
