"""Mes autorisations: the consents in force (règlement intérieur, droit à l'image…), what
each guardian of the household answered, and the form for the logged-in guardian to
accept or refuse the current version."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...extensions import db
from ...models import Guardian
from ...services.accounts import paris_time
from ...services.calendar import local_today
from ...services.consents import AnswerConsent, consent_states
from ...services.errors import CommandError
from .planning_grid import family_id


class ParentConsentsView(BaseView):
    route_base = "/famille/autorisations"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/repondre", methods=["POST"])
    @has_access
    def answer(self):
        family = family_id()
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            answer = AnswerConsent(current_user.id, current_user.username, family,
                                   request.form.get("version"), request.form.get("answer"),
                                   local_today()).run()
        except CommandError as refused:
            return self._page(refused.messages)
        title = answer.version.document.title
        flash(_("« %(title)s » : votre acceptation est enregistrée.", title=title)
              if answer.accepted else
              _("« %(title)s » : votre refus est enregistré.", title=title), "success")
        return redirect(url_for(".index") + f"#consentement-{answer.version.document_id}", 303)

    def _page(self, errors: list[str] | None = None):
        family = family_id()
        guardians = (
            db.session.query(Guardian).filter(Guardian.family_id == family)
            .order_by(Guardian.id).all() if family else []
        )
        me = next((g for g in guardians if g.user_id == current_user.id), None)
        html = self.render_template(
            "parent/consents.html",
            has_family=family is not None,
            states=consent_states(family, local_today()) if family else [],
            guardians=guardians, me=me, when=paris_time, errors=errors or [],
        )
        return html, 400 if errors else 200


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentConsentsView, "ParentConsents", label=_l("Mes autorisations"),
                        icon="fa-check-square")
