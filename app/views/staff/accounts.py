"""Back office of accounts and documents: the guardians' logins (invitation, resend), a new
family with its guardians, the family documents to check (accept with validity dates, or
refuse with a reason), the required documents missing or expired, and the upload of a
document published by the structure.

Decisions on documents go through the request queue's command (DecideRequests), so the
family gets the same alert and mail as for any other request.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...extensions import db
from ...models import DocumentState, FamilyDocument, Guardian, PublishedDocument, School
from ...security.manager import PortalSecurityManager
from ...services import documents as docs
from ...services.accounts import account_state, open_invitation, paris_time
from ...services.calendar import local_today
from ...services.documents import queries as doc_queries
from ...services.documents.commands import PublishDocument, ReviewDocument
from ...services.documents.jobs import REMINDER_JOB, start_documents_reminder
from ...services.documents.reminders import RemindMissingDocuments
from ...services.errors import CommandError
from ...services.login_commands import RevokeSessions, UnlockLogin
from ...services.onboarding import (
    FAMILY_FIELDS,
    GUARDIAN_FIELDS,
    InviteGuardian,
    OnboardFamily,
)
from ...services.request_details import preview_kind
from ..dates import parse_french_date
from ..downloads import file_response, inline_response
from .common import PortalStaffView, add_menu_view, labels
from .job_forms import job_token, shown_job, status_json, submitted_token

ACCOUNT_STATES = {
    "none": _l("Pas de compte"),
    "invited": _l("Invitation envoyée, mot de passe pas encore choisi"),
    "expired": _l("Invitation expirée"),
    "active": _l("Compte actif"),
    "locked": _l("Compte bloqué temporairement (trop d'essais)"),
}
MISSING_STATES = {
    "missing": _l("Jamais transmis"),
    "expired": _l("Expiré"),
    "rejected": _l("Refusé, à renvoyer"),
    "pending": _l("Transmis, à vérifier"),
}


def _user_state(user) -> str:
    """Account state from the login's own columns (no query: safe in a list)."""
    if user is None:
        return str(ACCOUNT_STATES["none"])
    if PortalSecurityManager.is_locked(user):
        return str(ACCOUNT_STATES["locked"])
    return str(ACCOUNT_STATES["active" if user.last_login else "invited"])


def _staff_id() -> int | None:
    return PortalStaffView.current_user_id()


def _date(value: str | None) -> dt.date | None:
    if not (value or "").strip():
        return None
    day = parse_french_date(value)  # jj/mm/aaaa (the calendar), or ISO
    if day is None:
        raise CommandError(_("La date « %(value)s » n'est pas valide.", value=value))
    return day


# --- logins ---------------------------------------------------------------------------------


class StaffAccountView(PortalStaffView):
    """Guardians and their logins; « Envoyer l'invitation » / « Renvoyer » on each one."""

    datamodel = SQLAInterface(Guardian)
    route_base = "/gestion/comptes"
    include_route_methods = {"list", "show", "csv", "xlsx", "resend", "unlock", "revoke"}
    list_template = "staff/accounts_list.html"
    show_template = "staff/accounts_show.html"
    list_title = _l("Comptes des familles")
    show_title = _l("Compte du responsable légal")
    label_columns = labels({"user": _l("Compte de connexion"),
                            "user.username": _l("Identifiant"),
                            "relationship_label": _l("Lien (mère, père, tuteur…)"),
                            "phone_mobile": _l("Téléphone portable")})
    list_columns = ["last_name", "first_name", "family", "email", "user.username", "user"]
    show_columns = ["family", "first_name", "last_name", "relationship_label", "email",
                    "phone_mobile", "user.username", "user"]
    search_columns = ["last_name", "first_name", "email"]
    base_order = ("last_name", "asc")
    formatters_columns = {"user": _user_state}

    @expose("/<int:pk>/invitation", methods=["POST"])
    @has_access
    def resend(self, pk: int):
        guardian = db.session.get(Guardian, pk) or abort(404)
        again = guardian.user_id is not None
        try:
            InviteGuardian(guardian.id, _staff_id()).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
        else:
            flash(_("Invitation renvoyée à %(email)s ; le lien précédent ne fonctionne plus.",
                    email=guardian.email) if again else
                  _("Invitation envoyée à %(email)s.", email=guardian.email), "success")
        return redirect(url_for(".show", pk=pk), 303)

    @expose("/<int:pk>/deblocage", methods=["POST"])
    @has_access
    def unlock(self, pk: int):
        """« Débloquer »: the login of this guardian may try again at once."""
        guardian = db.session.get(Guardian, pk) or abort(404)
        try:
            UnlockLogin(guardian.user_id, _staff_id()).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
        else:
            flash(_("Le compte de %(name)s est débloqué.", name=guardian), "success")
        return redirect(url_for(".show", pk=pk), 303)

    @expose("/<int:pk>/deconnexion", methods=["POST"])
    @has_access
    def revoke(self, pk: int):
        """« Déconnecter partout »: every open session of this guardian's login ends."""
        guardian = db.session.get(Guardian, pk) or abort(404)
        try:
            RevokeSessions(guardian.user_id, _staff_id()).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
        else:
            flash(_("Toutes les sessions de %(name)s sont fermées.", name=guardian), "success")
        return redirect(url_for(".show", pk=pk), 303)

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            guardian = db.session.get(Guardian, kwargs["pk"])
            user = guardian.user if guardian else None
            kwargs["account"] = account_state(user) if guardian else None
            kwargs["account_label"] = ACCOUNT_STATES.get(kwargs["account"], "")
            invitation = open_invitation(user) if user else None
            kwargs["invitation_expires"] = paris_time(invitation.expires_at) if invitation \
                else None
            kwargs["guardian"] = guardian
        return super().render_template(template, **kwargs)


class StaffOnboardingView(BaseView):
    """Nouvelle famille: the family, one or two guardians, the invitations."""

    route_base = "/gestion/comptes/nouvelle-famille"
    default_view = "add"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def add(self):
        errors: list[str] = []
        if request.method == "POST":
            form = request.form
            guardians = [{k: form.get(f"g{i}_{k}") for k in GUARDIAN_FIELDS} for i in (1, 2)]
            try:
                family = OnboardFamily({k: form.get(k) for k in FAMILY_FIELDS}, guardians,
                                       bool(form.get("invite")), _staff_id()).run()
            except CommandError as refused:
                errors = refused.messages
            else:
                flash(_("Le foyer « %(name)s » est créé.", name=family.name), "success")
                return redirect(url_for("StaffFamilyView.show", pk=family.id), 303)
        page = self.render_template("staff/families_new.html", errors=errors,
                                    form=request.form)
        return page, 400 if errors else 200


# --- documents ------------------------------------------------------------------------------


class StaffDocumentReviewView(PortalStaffView):
    """Documents sent by families and not yet checked, oldest first."""

    datamodel = SQLAInterface(FamilyDocument)
    route_base = "/gestion/documents-a-verifier"
    include_route_methods = {"list", "show", "csv", "xlsx", "review", "file", "preview"}
    base_filters = [["state", FilterEqual, DocumentState.pending]]
    show_template = "staff/documents_review.html"
    list_title = _l("Documents à vérifier")
    show_title = _l("Vérifier un document")
    label_columns = labels({"document_type": _l("Type de document"),
                            "original_filename": _l("Fichier"),
                            "uploaded_at": _l("Déposé le")})
    list_columns = ["uploaded_at", "family", "child", "document_type", "original_filename"]
    show_columns = list_columns
    search_columns = ["document_type", "uploaded_at", "original_filename"]
    base_order = ("uploaded_at", "asc")

    @expose("/<int:pk>/verification", methods=["POST"])
    @has_access
    def review(self, pk: int):
        accept = request.form.get("decision") == "accept"
        try:
            ReviewDocument(
                pk, accept, _staff_id(), reason=request.form.get("reason"),
                valid_from=_date(request.form.get("valid_from")),
                valid_until=_date(request.form.get("valid_until")),
            ).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
            return redirect(url_for(".show", pk=pk), 303)
        flash(_("Document accepté : la famille est prévenue.") if accept else
              _("Document refusé : la famille est prévenue du motif."), "success")
        return redirect(url_for(".list"), 303)

    @expose("/<int:pk>/fichier")
    @has_access
    @permission_name("show")
    def file(self, pk: int):
        """Any family document (pending or not), for staff only, as an attachment."""
        document = db.session.get(FamilyDocument, pk)
        response = file_response(document) if document else None
        return response if response is not None else abort(404)

    @expose("/<int:pk>/apercu")
    @has_access
    @permission_name("show")
    def preview(self, pk: int):
        """A family's PDF or image, for staff only, shown inside the review pages."""
        document = db.session.get(FamilyDocument, pk)
        if document is None or preview_kind(document) is None:
            abort(404)
        return inline_response(document) or abort(404)

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            document = db.session.get(FamilyDocument, kwargs["pk"])
            today = local_today()
            kwargs.update(document=document, today=today, preview=preview_kind(document),
                          valid_until=docs.default_validity(document, today)
                          if document else None)
        return super().render_template(template, **kwargs)


class StaffMissingDocumentsView(BaseView):
    """Required documents that active families lack (never sent, expired, refused)."""

    route_base = "/gestion/documents-manquants"
    default_view = "list"
    page_size = 50

    @expose("/")
    @has_access
    def list(self):
        page = max(request.args.get("page", 0, type=int), 0)
        today = local_today()
        query = doc_queries.families_missing_query(today)
        rows = db.session.execute(query.limit(self.page_size + 1)
                                  .offset(page * self.page_size)).all()
        has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        states = doc_queries.missing_states([(f.id, t.id) for f, t in rows], today)
        job, status = shown_job(REMINDER_JOB)
        return self.render_template(
            "staff/documents_missing.html", page=page, has_next=has_next, today=today,
            rows=[(family, doc_type, states.get((family.id, doc_type.id), ("missing", None)))
                  for family, doc_type in rows],
            labels=MISSING_STATES, job=job, status=status, job_token=job_token(),
            status_url=url_for(".remind_status", job_id=job.id) if job else None,
        )

    @expose("/relancer", methods=["POST"])
    @has_access
    @permission_name("resend")
    def remind(self):
        """« Relancer » one family (`family`), or every family of the list (`all`) as a
        background job: the page answers at once and shows the job's progress."""
        page = request.form.get("page", 0, type=int)
        portal_url = url_for("ParentDocumentsView.index", _external=True)
        if request.form.get("all"):
            try:
                job = start_documents_reminder(local_today(), _staff_id(), portal_url,
                                               submitted_token())
            except CommandError as refused:
                for message in refused.messages:
                    flash(message, "danger")
                return redirect(url_for(".list", page=page), 303)
            flash(_("Relance lancée : suivez son avancement ci-dessous."), "info")
            return redirect(url_for(".list", page=page, travail=job.id), 303)
        family = request.form.get("family", type=int)
        try:
            done = RemindMissingDocuments([family] if family else [], local_today(),
                                          _staff_id(), portal_url).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
        else:
            if done.families:
                flash(ngettext("%(num)d famille relancée : un courriel et une alerte lui "
                               "rappellent les documents à transmettre.",
                               "%(num)d familles relancées : un courriel et une alerte leur "
                               "rappellent les documents à transmettre.", done.families),
                      "success")
            if done.skipped:
                flash(_("Pas relancées (déjà relancées depuis moins d'un jour, ou sans "
                        "adresse électronique) : %(names)s.", names=", ".join(done.skipped)),
                      "warning")
        return redirect(url_for(".list", page=page), 303)

    @expose("/relancer/<int:job_id>/etat")
    @has_access
    @permission_name("resend")
    def remind_status(self, job_id: int):
        """The progress of a « Relancer toutes les familles » job (its progress bar)."""
        return status_json(job_id, REMINDER_JOB)


class StaffPublicationView(BaseView):
    """Publish a document (menu, tarifs, règlement) for every family or one school's."""

    route_base = "/gestion/documents-publies/nouveau"
    default_view = "add"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def add(self):
        errors: list[str] = []
        if request.method == "POST":
            form = request.form
            try:
                document = PublishDocument(
                    form.get("title") or "", form.get("category"), form.get("school"),
                    request.files.get("file"),
                    _date(form.get("published_on")) or local_today(),
                    _date(form.get("unpublished_on")), _staff_id()).run()
            except CommandError as refused:
                errors = refused.messages
            else:
                flash(_("« %(title)s » est publié.", title=document.title), "success")
                return redirect(url_for("StaffPublishedDocumentView.list"), 303)
        page = self.render_template(
            "staff/documents_publish.html", errors=errors, form=request.form,
            categories=docs.CATEGORIES, schools=db.session.query(School).order_by(School.name),
            today=local_today())
        return page, 400 if errors else 200

    @expose("/<int:pk>/fichier")
    @has_access
    @permission_name("show")
    def file(self, pk: int):
        document = db.session.get(PublishedDocument, pk)
        response = file_response(document) if document else None
        return response if response is not None else abort(404)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffAccountView, _l("Comptes et invitations"), "Familles",
                  "fa-key")
    add_menu_view(appbuilder, StaffOnboardingView, _l("Nouvelle famille"), "Familles",
                  "fa-user-plus")
    add_menu_view(appbuilder, StaffDocumentReviewView, _l("Documents à vérifier"),
                  "Documents", "fa-check-square-o")
    add_menu_view(appbuilder, StaffMissingDocumentsView, _l("Documents manquants"),
                  "Documents", "fa-exclamation-triangle")
    add_menu_view(appbuilder, StaffPublicationView, _l("Publier un document"), "Documents",
                  "fa-upload")
