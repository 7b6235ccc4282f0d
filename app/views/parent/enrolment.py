"""Inscription (brochure: « Pour s'inscrire ou annuler ses inscriptions »): the family's
enrolments per child, a request for a new one (only the services offered at the child's
school), and requests to change or cancel a validated one. Staff decide elsewhere.

The page costs a fixed number of queries whatever the number of children and enrolments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...models import (
    Child,
    Enrolment,
    EnrolmentState,
    RequestKind,
    SchoolYear,
    Service,
)
from ...services.reservations import CommandError
from ...services.reservations.enrol import RequestEnrolment, RequestEnrolmentChange
from ...services.reservations.queries import (
    family_enrolments,
    open_school_years,
    pending_enrolment_kinds,
    services_offered,
)
from .planning import family_children
from .planning_grid import family_id, portal_now

STATE_ICONS = {
    EnrolmentState.pending: "fa-hourglass-half",
    EnrolmentState.validated: "fa-check",
    EnrolmentState.refused: "fa-xmark",
    EnrolmentState.cancelled: "fa-ban",
}


@dataclass
class ChildEnrolments:
    child: Child
    enrolments: list[Enrolment] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)  # offered at the child's school


class ParentInscriptionView(BaseView):
    route_base = "/famille/inscription"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/demande", methods=["POST"])
    @has_access
    def ask(self):
        form = request.form
        child, _sep, service = (form.get("choice") or "").partition("-")
        return self._run(
            lambda family: RequestEnrolment(
                family,
                child,
                service,
                form.get("school_year"),
                comment=form.get("comment"),
                actor_user_id=current_user.id,
            ),
            _("Votre demande d'inscription est envoyée : le service vous répondra."),
        )

    @expose("/modification", methods=["POST"])
    @has_access
    def change(self):
        form = request.form
        return self._run(
            lambda family: RequestEnrolmentChange(
                family,
                form.get("enrolment"),
                start_date=form.get("start_date") or None,
                end_date=form.get("end_date") or None,
                comment=(form.get("comment") or "").strip() or None,
                actor_user_id=current_user.id,
            ),
            _("Votre demande de modification est envoyée : le service vous répondra."),
        )

    @expose("/annulation", methods=["POST"])
    @has_access
    def cancel(self):
        return self._run(
            lambda family: RequestEnrolmentChange(
                family, request.form.get("enrolment"), cancel=True, actor_user_id=current_user.id
            ),
            _("Votre demande d'annulation est envoyée : le service vous répondra."),
        )

    # -- helpers ------------------------------------------------------------------------
    def _run(self, build, done: str):
        family = family_id()
        if family is None:
            return self._page([_("Aucune famille n'est liée à votre compte.")])
        try:
            build(family).run()
        except CommandError as refused:
            return self._page(refused.messages)
        flash(done, "success")
        return redirect(url_for(f"{type(self).__name__}.index"), 303)

    def _page(self, errors: list[str] | None = None):
        family = family_id()
        sections: list[ChildEnrolments] = []
        pending: dict[int, str] = {}
        years: list[SchoolYear] = []
        if family is not None:
            children = family_children(family)
            offered = services_offered({c.school_id for c in children})
            sections = [ChildEnrolments(c, [], offered.get(c.school_id, [])) for c in children]
            by_child = {s.child.id: s for s in sections}
            for enrolment in family_enrolments(family):
                if enrolment.child_id in by_child:
                    by_child[enrolment.child_id].enrolments.append(enrolment)
            pending = pending_enrolment_kinds(family)
            years = open_school_years(portal_now().date())
        html = self.render_template(
            "parent/enrolment.html",
            sections=sections,
            pending=pending,
            years=years,
            errors=errors or [],
            form=request.form if errors else {},
            has_family=family is not None,
            states=EnrolmentState,
            state_icons=STATE_ICONS,
            kinds=RequestKind,
        )
        return html, 400 if errors else 200


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        ParentInscriptionView,
        "ParentInscription",
        label=_l("Inscriptions"),
        category="ParentBookings",
        category_label=_l("Mes réservations"),
    )
