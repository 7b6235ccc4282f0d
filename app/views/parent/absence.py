"""Signaler une absence: the family's booked days, a reason and (for an illness) a medical
certificate; staff decide in the request queue (app.services.absences)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...extensions import db
from ...models import Request, RequestKind, RequestState
from ...services.absences import REASONS, DeclareAbsence, declarable_bookings
from ...services.errors import CommandError
from .planning_grid import family_id, portal_now


def _declared(family: int) -> list[Request]:
    return (
        db.session.query(Request)
        .filter(Request.family_id == family, Request.kind == RequestKind.absence)
        .order_by(Request.created_at.desc(), Request.id.desc())
        .limit(20)
        .all()
    )


class ParentAbsenceView(BaseView):
    route_base = "/famille/absence"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/signaler", methods=["POST"])
    @has_access
    def declare(self):
        family = family_id()
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            DeclareAbsence(family, request.form.get("booking"), request.form.get("reason"),
                           request.form.get("comment"), request.files.get("file"),
                           current_user.id).run()
        except CommandError as refused:
            return self._page(refused.messages)
        flash(_("Absence signalée : le service va l'étudier, sa réponse arrivera dans vos "
                "alertes."), "success")
        return redirect(url_for(".index"), 303)

    def _page(self, errors: list[str] | None = None):
        family = family_id()
        today = portal_now().date()
        html = self.render_template(
            "parent/absence.html",
            has_family=family is not None,
            bookings=declarable_bookings(family, today) if family else [],
            declared=_declared(family) if family else [],
            reasons=REASONS,
            states=RequestState.labels(),
            errors=errors or [],
            form=request.form if errors else {},
        )
        return html, 400 if errors else 200


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        ParentAbsenceView,
        "ParentAbsence",
        label=_l("Signaler une absence"),
        category="ParentBookings",
        category_label=_l("Mes réservations"),
    )
