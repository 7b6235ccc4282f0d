"""The yearly file in the back office: campaigns (dates, documents required, the town's
setting on enrolment), completion per school with the incomplete families and what they
lack, and one action to remind them all."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...extensions import db
from ...models import DossierCampaign
from ...services.calendar import local_today
from ...services.dossier import completion_by_school
from ...services.dossier.jobs import DOSSIER_REMINDER_JOB, start_dossier_reminder
from ...services.errors import CommandError
from .common import PortalStaffView, add_menu_view, labels, reject
from .job_forms import job_token, shown_job, status_json, submitted_token


class StaffDossierCampaignView(PortalStaffView):
    datamodel = SQLAInterface(DossierCampaign)
    route_base = "/gestion/dossiers/campagnes"
    list_title = _l("Campagnes du dossier annuel")
    show_title = _l("Campagne du dossier annuel")
    add_title = _l("Nouvelle campagne")
    edit_title = _l("Modifier la campagne")
    label_columns = labels({
        "title": _l("Intitulé"),
        "school_year": _l("Année scolaire préparée"),
        "opens_on": _l("Ouverte du"),
        "closes_on": _l("au"),
        "enrolment_requires_complete": _l("Inscriptions ouvertes seulement aux dossiers complets"),
        "document_types": _l("Documents demandés"),
    })
    list_columns = ["title", "school_year", "opens_on", "closes_on",
                    "enrolment_requires_complete"]
    search_columns = ["title", "school_year", "opens_on"]
    base_order = ("opens_on", "desc")
    add_columns = ["title", "school_year", "opens_on", "closes_on",
                   "enrolment_requires_complete", "document_types"]
    edit_columns = add_columns
    show_columns = add_columns
    show_template = "staff/dossier_campaign.html"

    def pre_add(self, item: DossierCampaign) -> None:
        _check_dates(item)

    def pre_update(self, item: DossierCampaign) -> None:
        _check_dates(item)


def _check_dates(item: DossierCampaign) -> None:
    if item.opens_on and item.closes_on and item.closes_on < item.opens_on:
        reject(_l("La date de fin doit suivre la date d'ouverture."))


class StaffDossierFollowView(BaseView):
    """Completion per school, and the reminder to every incomplete family."""

    route_base = "/gestion/dossiers/suivi"
    default_view = "list"
    method_permission_name = {"list": "list", "remind": "edit", "remind_status": "edit"}

    @expose("/<int:pk>")
    @has_access
    def list(self, pk: int):
        campaign = db.session.get(DossierCampaign, pk)
        if campaign is None:
            abort(404)
        schools = completion_by_school(campaign, local_today())
        job, status = shown_job(DOSSIER_REMINDER_JOB)
        if job is not None and job.params.get("campaign_id") != campaign.id:
            job = status = None
        return self.render_template(
            "staff/dossier_follow.html", campaign=campaign, schools=schools, job=job,
            status=status, job_token=job_token(),
            status_url=url_for(".remind_status", pk=pk, job_id=job.id) if job else None)

    @expose("/<int:pk>/relancer", methods=["POST"])
    @has_access
    def remind(self, pk: int):
        """Every incomplete family, as a background job: the page answers at once and
        shows the job's progress."""
        try:
            job = start_dossier_reminder(pk, current_user.id, current_user.username,
                                         local_today(), submitted_token())
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
            return redirect(url_for(".list", pk=pk), 303)
        flash(_("Relance lancée : suivez son avancement ci-dessous."), "info")
        return redirect(url_for(".list", pk=pk, travail=job.id), 303)

    @expose("/<int:pk>/relancer/<int:job_id>/etat")
    @has_access
    def remind_status(self, pk: int, job_id: int):
        """The progress of the campaign's reminder job (its progress bar)."""
        return status_json(job_id, DOSSIER_REMINDER_JOB)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffDossierCampaignView, _l("Dossier annuel"), "Familles",
                  "fa-folder")
    appbuilder.add_view_no_menu(StaffDossierFollowView)
