"""RGPD for staff: a family's page « Anonymiser » (managers and admins only: FAB permission
`can_anonymise`), refused with the reasons while an invoice is unpaid or the family was
active in the last 60 days."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...models import Family
from ...services.calendar import local_today
from ...services.errors import CommandError
from ...services.gdpr import AnonymiseFamily, anonymisation_problems, last_activity
from ...services.gdpr.anonymise import STAFF_IDLE_DAYS


class StaffGdprView(BaseView):
    route_base = "/gestion/rgpd"
    default_view = "family"

    @expose("/<int:pk>")
    @has_access
    def family(self, pk: int):
        family = db.session.get(Family, pk) or abort(404)
        return self.render_template(
            "staff/gdpr_family.html", family=family, last=last_activity(family.id),
            problems=anonymisation_problems(family, STAFF_IDLE_DAYS, local_today()),
            idle_days=STAFF_IDLE_DAYS)

    @expose("/<int:pk>/anonymiser", methods=["POST"])
    @has_access
    def anonymise(self, pk: int):
        try:
            AnonymiseFamily(pk, current_user.id).run()
        except CommandError as refused:
            for message in refused.messages:
                flash(message, "danger")
        else:
            flash(_("La famille est anonymisée ; ses factures sont conservées."), "success")
        return redirect(url_for(".family", pk=pk), 303)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffGdprView())
