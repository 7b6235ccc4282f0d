"""Background jobs in the back office (app.services.jobs): a job's page (progress bar, then
its French report), the JSON its progress bar polls, and « Relancer » for a failed job.

Managers (and admins) only: jobs are the managers' long actions (billing, imports…)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _

from ...extensions import db
from ...models import Job
from ...services.errors import CommandError
from ...services.jobs import job_status, retry_job


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
        return self.render_template("staff/jobs.html", job=job, status=job_status(job),
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


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffJobView)
