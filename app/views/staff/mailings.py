"""Mailings (manager): write one message, choose the families by school, class, service or
enrolment, preview the recipients and their count, send (app.services.mailings)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...models import EnrolmentState
from ...services.calendar import current_school_year, local_today
from ...services.errors import CommandError
from ...services.mailings.commands import SendMailing
from ...services.mailings.criteria import criteria_from
from ...services.mailings.queries import PREVIEW_SHOWN, choices, recent_mailings
from .common import add_menu_view


def _criteria():
    year = current_school_year(local_today())
    values = {name: request.form.getlist(name)
              for name in ("school", "class", "service", "enrolment")}
    return criteria_from(values, year.id if year else None)


class FinanceMailingView(BaseView):
    route_base = "/gestion/publipostage"
    default_view = "index"

    def _form(self, errors=None, status=200):
        form = request.form
        return self.render_template(
            "staff/mailings.html", choices=choices(), states=EnrolmentState,
            mailings=recent_mailings(), errors=errors, subject=form.get("subject", ""),
            body=form.get("body", ""), picked={k: form.getlist(k) for k in form},
            title=_("Publipostage")), status

    @expose("/")
    @has_access
    def index(self):
        return self._form()

    @expose("/apercu", methods=["POST"])
    @has_access
    def preview(self):
        criteria = _criteria()
        command = SendMailing(request.form.get("subject", ""), request.form.get("body", ""),
                              criteria, None)
        try:
            command.validate()
        except CommandError as refused:
            return self._form(refused, 400)
        return self.render_template(
            "staff/mailings_preview.html", command=command, chosen=command.chosen,
            shown=command.chosen.families[:PREVIEW_SHOWN], label=criteria.label(),
            picked={k: request.form.getlist(k) for k in ("school", "class", "service",
                                                         "enrolment")},
            title=_("Aperçu du publipostage"))

    @expose("/envoyer", methods=["POST"])
    @has_access
    def send(self):
        user = getattr(g, "user", None)
        try:
            mailing = SendMailing(request.form.get("subject", ""), request.form.get("body", ""),
                                  _criteria(), getattr(user, "id", None)).run()
        except CommandError as refused:
            return self._form(refused, 400)
        flash(_("Message envoyé à %(families)d famille(s) (%(mails)d courriel(s) en file "
                "d'envoi) ; chaque famille le retrouve dans ses alertes.",
                families=mailing.family_count, mails=mailing.mail_count), "success")
        return redirect(url_for(".index"), 303)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinanceMailingView, _l("Publipostage"), "Communication",
                  "fa-envelope")
