"""Réservations: enrolments, bookings, requests and alerts.

Bookings, requests and alerts are read-only here: a booking goes through the booking
rules (deadlines, capacity, waiting list) and a request's decision sends an alert and an
email to the family; a raw form would bypass both.
"""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

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
from ...services.calendar import local_today
from ...services.exports import catalogue
from ...services.reservations.enrolment_rules import apply_enrolment_bounds
from .common import READ_ONLY_ROUTES, PortalStaffView, add_menu_view, labels, reject


class StaffEnrolmentView(PortalStaffView):
    datamodel = SQLAInterface(Enrolment)
    export_spec = catalogue.ENROLMENTS
    route_base = "/gestion/inscriptions"
    list_title = _l("Inscriptions")
    show_title = _l("Fiche inscription")
    add_title = _l("Nouvelle inscription")
    edit_title = _l("Modifier l'inscription")
    label_columns = labels({"start_date": _l("Date de début"), "end_date": _l("Date de fin")})
    enum_columns = {"state": EnrolmentState}
    list_columns = ["child", "service", "school", "school_year", "family", "state",
                    "start_date", "end_date"]
    search_columns = ["state", "service", "school", "school_year", "start_date", "end_date"]
    base_order = ("created_at", "desc")
    add_columns = ["family", "child", "service", "school", "school_year", "state",
                   "start_date", "end_date", "comment"]
    edit_columns = add_columns
    show_columns = [*add_columns, "created_at", "updated_at"]

    def pre_add(self, item: Enrolment) -> None:
        _check_child_in_family(item)

    def pre_update(self, item: Enrolment) -> None:
        _check_child_in_family(item)
        _check_dates(item)
        # Saved in FAB's transaction: future days outside the new dates are cancelled.
        apply_enrolment_bounds(item, local_today())


def _check_dates(item: Enrolment) -> None:
    if item.start_date and item.end_date and item.end_date < item.start_date:
        reject(_l("La date de fin précède la date de début."))


def _check_child_in_family(item) -> None:
    if item.child is None or item.family is None:
        return
    if item.family not in item.child.families:
        reject(_l("Cet enfant n'est pas rattaché à cette famille."))


class StaffBookingView(PortalStaffView):
    datamodel = SQLAInterface(Booking)
    export_spec = catalogue.BOOKINGS
    route_base = "/gestion/reservations"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Réservations")
    show_title = _l("Fiche réservation")
    label_columns = labels({
        "day": _l("Jour"),
        "attendance": _l("Pointage"),
        "requested_at": _l("Demandée le"),
        "unbooked": _l("Présent sans réservation"),
        "attendance_recorded_at": _l("Pointage saisi le"),
        "note": _l("Note de la famille"),
    })
    enum_columns = {"state": BookingState, "attendance": Attendance}
    optional_enum_columns = ("attendance",)
    list_columns = ["day", "child", "service", "school", "family", "state", "attendance"]
    search_columns = ["day", "state", "attendance", "service", "school"]
    base_order = ("day", "desc")
    show_columns = ["day", "child", "service", "school", "family", "state", "requested_at",
                    "note", "attendance", "unbooked", "attendance_recorded_at", "created_at",
                    "updated_at"]


class StaffAlertView(PortalStaffView):
    datamodel = SQLAInterface(Alert)
    route_base = "/gestion/alertes"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Alertes")
    show_title = _l("Fiche alerte")
    label_columns = labels({
        "request": _l("Demande"),
        "message": _l("Message"),
        "read_at": _l("Lue le"),
        "mailed": _l("Envoyée par courriel"),
    })
    list_columns = ["created_at", "family", "title", "read_at", "mailed"]
    search_columns = ["created_at", "title", "read_at", "mailed"]
    base_order = ("created_at", "desc")
    show_columns = ["created_at", "family", "request", "title", "message", "read_at", "mailed"]


class StaffRequestView(PortalStaffView):
    datamodel = SQLAInterface(Request)
    route_base = "/gestion/demandes"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Demandes")
    show_title = _l("Fiche demande")
    label_columns = labels({
        "kind": _l("Type"),
        "summary": _l("Objet"),
        "old_value": _l("Valeur actuelle"),
        "new_value": _l("Valeur demandée"),
        "booking": _l("Réservation"),
        "enrolment": _l("Inscription"),
        "document": _l("Document"),
        "created_by": _l("Saisie par"),
        "created_at": _l("Reçue le"),
        "decided_by": _l("Décidée par"),
        "decided_at": _l("Décidée le"),
        "reason": _l("Motif du refus"),
    })
    enum_columns = {"kind": RequestKind, "state": RequestState}
    list_columns = ["created_at", "family", "child", "kind", "summary", "state", "decided_at"]
    search_columns = ["kind", "state", "created_at", "decided_at", "summary"]
    base_order = ("created_at", "desc")
    show_fieldsets = [
        (_l("Demande"), {"fields": ["created_at", "family", "child", "kind", "summary",
                                     "created_by"]}),
        (_l("Contenu"), {"fields": ["old_value", "new_value", "booking", "enrolment",
                                     "document"]}),
        (_l("Décision"), {"fields": ["state", "reason", "decided_by", "decided_at"]}),
    ]
    related_views = [StaffAlertView]


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffEnrolmentView, _l("Inscriptions"), "Réservations",
                  "fa-pencil-square-o")
    add_menu_view(appbuilder, StaffBookingView, _l("Réservations"), "Réservations",
                  "fa-calendar-check-o")
    add_menu_view(appbuilder, StaffRequestView, _l("Demandes"), "Réservations", "fa-inbox")
    add_menu_view(appbuilder, StaffAlertView, _l("Alertes"), "Réservations", "fa-bell")
