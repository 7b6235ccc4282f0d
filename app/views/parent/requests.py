"""Inscriptions, réservations (read-only list until the planning), demandes and alertes."""

from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder import AppBuilder
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...models import (
    Alert,
    Attendance,
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
)
from ...security.scope import current_family_ids
from ...services.alerts import MarkAlertsRead
from ...services.errors import CommandError
from ...services.reservations.withdraw import WithdrawRequest
from ..base import ParentModelView, PortalInterface
from ..formatters import enum_label, french_date

READ_ONLY = {"can_list", "can_show"}


class ParentEnrolmentView(ParentModelView):
    datamodel = PortalInterface(Enrolment)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Mes inscriptions")
    list_columns = ["child", "service", "school", "school_year", "state"]
    search_columns = ["child", "service", "state"]
    label_columns = {
        "child": _l("Enfant"),
        "service": _l("Service"),
        "school": _l("École"),
        "school_year": _l("Année scolaire"),
        "state": _l("État"),
    }
    formatters_columns = {"state": enum_label(EnrolmentState)}


class ParentBookingView(ParentModelView):
    datamodel = PortalInterface(Booking)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Mes réservations")
    list_columns = ["day", "child", "service", "state", "attendance"]
    search_columns = ["day", "child", "service", "state"]
    base_order = ("day", "desc")
    label_columns = {
        "day": _l("Jour"),
        "child": _l("Enfant"),
        "service": _l("Service"),
        "state": _l("État"),
        "attendance": _l("Présence"),
    }
    formatters_columns = {
        "day": french_date,
        "state": enum_label(BookingState),
        "attendance": enum_label(Attendance),
    }


class ParentRequestView(ParentModelView):
    datamodel = PortalInterface(Request)
    base_permissions = {"can_list", "can_show", "withdraw"}
    list_title = show_title = _l("Mes demandes")
    list_columns = ["created_at", "kind", "summary", "child", "state", "reason"]
    show_columns = ["created_at", "kind", "summary", "child", "state", "reason", "decided_at"]
    search_columns = ["kind", "state", "child"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": _l("Date"),
        "kind": _l("Type"),
        "summary": _l("Demande"),
        "child": _l("Enfant"),
        "state": _l("État"),
        "reason": _l("Motif"),
        "decided_at": _l("Décidée le"),
    }
    formatters_columns = {"kind": enum_label(RequestKind), "state": enum_label(RequestState)}

    @action(
        "withdraw",
        _l("Retirer ma demande"),
        _l("Retirer cette demande ? Le service ne l'étudiera pas."),
        icon="fa-undo",
        single=False,
    )
    def withdraw(self, items):
        items = items if isinstance(items, list) else [items]
        for item in items:
            try:
                WithdrawRequest(current_family_ids(), item.id, current_user.id).run()
                flash(_("Demande retirée : %(summary)s", summary=item.summary), "success")
            except CommandError as refused:
                flash(" ".join(refused.messages), "danger")
        return redirect(self.get_redirect())


class ParentAlertView(ParentModelView):
    datamodel = PortalInterface(Alert)
    base_permissions = {"can_list", "can_show", "mark_read"}
    list_title = show_title = _l("Mes alertes")
    list_columns = ["created_at", "title", "read_at"]
    show_columns = ["created_at", "title", "message", "read_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": _l("Date"),
        "title": _l("Alerte"),
        "message": _l("Message"),
        "read_at": _l("Lue le"),
    }

    @action("mark_read", _l("Marquer comme lue"), icon="fa-check", single=False)
    def mark_read(self, items):
        items = items if isinstance(items, list) else [items]
        MarkAlertsRead([item.id for item in items], current_family_ids()).run()
        return redirect(self.get_redirect())


def register(appbuilder: AppBuilder) -> None:
    bookings = {"category": "ParentBookings", "category_label": _l("Mes réservations")}
    # The planning and the Inscriptions page come first; these lists are the history.
    appbuilder.add_view(
        ParentBookingView, "ParentBookingList", label=_l("Historique et présences"), **bookings
    )
    appbuilder.add_view_no_menu(ParentEnrolmentView)
    appbuilder.add_view(ParentRequestView, "ParentRequests", label=_l("Mes demandes"), **bookings)
    appbuilder.add_view(
        ParentAlertView,
        "ParentAlerts",
        label=_l("Alertes"),
        category="ParentAlerts",
        category_label=_l("Alertes"),
    )
