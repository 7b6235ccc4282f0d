"""Inscriptions, réservations (read-only list until the planning), demandes and alertes.

Alertes, Mes demandes and the history of bookings are French pages (parent/alerts.html,
parent/requests.html, parent/history.html): one card per item, dates in words in Paris time
(`moment` filter), every household of the login side by side. They stay FAB ModelViews so
that roles (can_list, can_show, withdraw, mark_read) and the isolation sweep apply: `list`
and `show` are replaced, FAB's scoped `action_post` still withdraws and marks read.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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
from ...security.scope import current_family_ids, owned
from ...services.alerts import MarkAlertsRead
from ...services.errors import CommandError
from ...services.history import queries as history
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

    @expose("/list/")
    @has_access
    def list(self):
        listing = history.bookings_of(current_family_ids(),
                                      history.page_number(request.args.get("page")))
        return self.render_template("parent/history.html", listing=listing,
                                    states=BookingState, attendance=Attendance)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        booking = owned(Booking, pk)
        if booking is None:
            abort(404)
        return self.render_template("parent/history.html", listing=history.Listing(
            [booking], 1, 1, 1), states=BookingState, attendance=Attendance)


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

    @expose("/list/")
    @has_access
    def list(self):
        listing = history.requests_of(current_family_ids(),
                                      history.page_number(request.args.get("page")))
        return self.render_template("parent/requests.html", listing=listing, kinds=RequestKind,
                                    states=RequestState, single=None)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = owned(Request, pk)
        if item is None:
            abort(404)
        listing = history.Listing([item], 1, 1, 1)
        return self.render_template("parent/requests.html", listing=listing, kinds=RequestKind,
                                    states=RequestState, single=item)

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
    base_permissions = {"can_list", "can_show", "mark_read", "can_mark_all_read"}
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

    @expose("/list/")
    @has_access
    def list(self):
        family_ids = current_family_ids()
        listing = history.alerts_of(family_ids, history.page_number(request.args.get("page")))
        return self.render_template("parent/alerts.html", listing=listing,
                                    unread_ids=history.unread_alert_ids(family_ids))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """Opening an alert marks it read (MarkAlertsRead, the family's own only)."""
        alert = owned(Alert, pk)
        if alert is None:
            abort(404)
        MarkAlertsRead([alert.id], current_family_ids()).run()
        return self.render_template("parent/alerts_show.html", alert=alert)

    @expose("/tout-lu", methods=["POST"])
    @has_access
    def mark_all_read(self):
        """Marks the unread alerts the page listed (posted `rowid`s), the family's only: one
        arrived since stays unread."""
        ids = [int(i) for i in request.form.getlist("rowid") if i.isdigit()]
        count = MarkAlertsRead(ids, current_family_ids()).run()
        flash(ngettext("%(num)d alerte marquée comme lue.", "%(num)d alertes marquées comme lues.",
                       count), "success")
        return redirect(url_for(".list"))

    @action("mark_read", _l("Marquer comme lue"), icon="fa-check", single=False)
    def mark_read(self, items):
        items = items if isinstance(items, list) else [items]
        MarkAlertsRead([item.id for item in items], current_family_ids()).run()
        return redirect(self.get_redirect())


def register(appbuilder: AppBuilder) -> None:
    from ...services.links import provide

    provide("alert", lambda pk, _external: url_for("ParentAlertView.show", pk=pk,
                                                   _external=_external))
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
