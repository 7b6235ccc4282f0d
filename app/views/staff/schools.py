"""Paramètres: schools, services (with their deadline rules), capacities, school years,
closures. Settings: managers and admins change them, agents read them."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import (
    Closure,
    DeadlineKind,
    School,
    SchoolSector,
    SchoolYear,
    Service,
    ServiceCapacity,
    ServiceKind,
)
from ...services.deadlines import validate_rule
from .common import PortalStaffView, add_menu_view, labels, reject
from .documents import StaffPublishedDocumentView
from .families import StaffChildView
from .finance import FinanceTariffView
from .news import StaffNewsView


def _check_period(item) -> None:
    if item.start_date and item.end_date and item.end_date < item.start_date:
        reject(_l("La date de fin doit être postérieure à la date de début."))


class StaffClosureView(PortalStaffView):
    datamodel = SQLAInterface(Closure)
    route_base = "/gestion/fermetures"
    list_title = _l("Fermetures")
    show_title = _l("Fiche fermeture")
    add_title = _l("Nouvelle fermeture")
    edit_title = _l("Modifier la fermeture")
    label_columns = labels({
        "school": _l("École (vide = toutes)"),
        "service": _l("Service (vide = tous)"),
        "start_date": _l("Du"),
        "end_date": _l("Au (inclus)"),
    })
    list_columns = ["start_date", "end_date", "school", "service", "reason"]
    search_columns = ["start_date", "end_date", "school", "service", "reason"]
    base_order = ("start_date", "desc")
    add_columns = list_columns
    edit_columns = list_columns
    show_columns = list_columns

    def pre_add(self, item: Closure) -> None:
        _check_period(item)

    def pre_update(self, item: Closure) -> None:
        _check_period(item)


class StaffServiceCapacityView(PortalStaffView):
    datamodel = SQLAInterface(ServiceCapacity)
    route_base = "/gestion/capacites"
    list_title = _l("Capacités d'accueil")
    show_title = _l("Fiche capacité")
    add_title = _l("Nouvelle capacité")
    edit_title = _l("Modifier la capacité")
    label_columns = labels({"capacity": _l("Places par jour")})
    list_columns = ["service", "school", "capacity"]
    search_columns = ["service", "school", "capacity"]
    base_order = ("service_id", "asc")
    add_columns = list_columns
    edit_columns = list_columns
    show_columns = list_columns

    def pre_add(self, item: ServiceCapacity) -> None:
        _check_capacity(item)

    def pre_update(self, item: ServiceCapacity) -> None:
        _check_capacity(item)


def _check_capacity(item: ServiceCapacity) -> None:
    if item.capacity is not None and item.capacity < 0:
        reject(_l("La capacité ne peut pas être négative."))


class StaffSchoolView(PortalStaffView):
    datamodel = SQLAInterface(School)
    route_base = "/gestion/ecoles"
    list_title = _l("Écoles")
    show_title = _l("Fiche école")
    add_title = _l("Nouvelle école")
    edit_title = _l("Modifier l'école")
    label_columns = labels({"sector": _l("Secteur")})
    enum_columns = {"sector": SchoolSector}
    list_columns = ["name", "sector", "city", "phone", "email"]
    search_columns = ["name", "sector", "city"]
    base_order = ("name", "asc")
    add_columns = ["name", "sector", "address", "postal_code", "city", "phone", "email"]
    edit_columns = add_columns
    show_columns = add_columns
    related_views = [StaffServiceCapacityView, StaffClosureView, StaffChildView, StaffNewsView,
                     StaffPublishedDocumentView]


_DEADLINE_LABELS = {
    "booking_deadline_kind": _l("Règle du délai de réservation"),
    "booking_deadline_value": _l("Délai de réservation : N (jours, ou jour 0 = lundi … 6)"),
    "booking_deadline_time": _l("Délai de réservation : heure limite"),
    "cancel_deadline_kind": _l("Règle du délai d'annulation"),
    "cancel_deadline_value": _l("Délai d'annulation : N (jours, ou jour 0 = lundi … 6)"),
    "cancel_deadline_time": _l("Délai d'annulation : heure limite"),
}


def _time(value) -> str:
    return value.strftime("%H:%M") if value is not None else ""


class StaffServiceView(PortalStaffView):
    datamodel = SQLAInterface(Service)
    route_base = "/gestion/services"
    list_title = _l("Services")
    show_title = _l("Fiche service")
    add_title = _l("Nouveau service")
    edit_title = _l("Modifier le service")
    label_columns = labels({
        **_DEADLINE_LABELS,
        "kind": _l("Type de service"),
        "is_childcare": _l("Périscolaire (attestation fiscale)"),
        "manual_validation": _l("Chaque réservation validée par le service"),
        "description": _l("Description"),
        "capacities": _l("Capacités"),
        "last_seats_threshold": _l("« Dernières places » à partir de (places restantes)"),
        "slot_start": _l("Début du créneau (HH:MM)"),
        "slot_end": _l("Fin du créneau (HH:MM, heures de présence déclarées à la CAF)"),
    })
    enum_columns = {
        "kind": ServiceKind,
        "booking_deadline_kind": DeadlineKind,
        "cancel_deadline_kind": DeadlineKind,
    }
    formatters_columns = {"booking_deadline_time": _time, "cancel_deadline_time": _time,
                          "slot_start": _time, "slot_end": _time}
    list_columns = ["code", "name", "kind", "is_childcare", "manual_validation", "active"]
    search_columns = ["code", "name", "kind", "is_childcare", "manual_validation", "active"]
    base_order = ("name", "asc")
    show_fieldsets = [
        (_l("Service"), {"fields": ["code", "name", "kind", "description", "is_childcare",
                                    "manual_validation", "active", "last_seats_threshold"]}),
        (_l("Créneau"), {"fields": ["slot_start", "slot_end"]}),
        (_l("Délai de réservation"), {"fields": ["booking_deadline_kind",
                                                 "booking_deadline_value",
                                                 "booking_deadline_time"]}),
        (_l("Délai d'annulation"), {"fields": ["cancel_deadline_kind", "cancel_deadline_value",
                                               "cancel_deadline_time"]}),
    ]
    add_columns = ["code", "name", "kind", "description", "is_childcare", "manual_validation",
                   "active", "last_seats_threshold", "slot_start", "slot_end", *_DEADLINE_LABELS]
    edit_columns = add_columns
    related_views = [StaffServiceCapacityView, StaffClosureView, FinanceTariffView]

    def pre_add(self, item: Service) -> None:
        _check_deadlines(item)

    def pre_update(self, item: Service) -> None:
        _check_deadlines(item)


def _check_deadlines(item: Service) -> None:
    """A rule the planning cannot compute is refused here, not on the parents' pages."""
    errors = [
        *validate_rule(item.booking_deadline_kind, item.booking_deadline_value,
                       item.booking_deadline_time),
        *validate_rule(item.cancel_deadline_kind, item.cancel_deadline_value,
                       item.cancel_deadline_time),
    ]
    if errors:
        reject(" ".join(dict.fromkeys(str(e) for e in errors)))


_WEEKDAYS = (_l("lun."), _l("mar."), _l("mer."), _l("jeu."), _l("ven."), _l("sam."),
             _l("dim."))


def _weekdays(value) -> str:
    days = sorted({int(c) for c in value or "" if c.isdigit() and int(c) < 7})
    return ", ".join(str(_WEEKDAYS[d]) for d in days)


class StaffSchoolYearView(PortalStaffView):
    datamodel = SQLAInterface(SchoolYear)
    route_base = "/gestion/annees-scolaires"
    list_title = _l("Années scolaires")
    show_title = _l("Fiche année scolaire")
    add_title = _l("Nouvelle année scolaire")
    edit_title = _l("Modifier l'année scolaire")
    label_columns = labels({
        "label": _l("Année (ex. 2026-2027)"),
        "start_date": _l("Rentrée"),
        "end_date": _l("Dernier jour de classe"),
        "zone": _l("Zone de vacances"),
        "closed_weekdays": _l("Jours sans école (0 = lundi … 6 = dimanche)"),
    })
    formatters_columns = {"closed_weekdays": _weekdays}
    list_columns = ["label", "start_date", "end_date", "zone", "closed_weekdays"]
    search_columns = ["label", "start_date", "end_date", "zone"]
    base_order = ("start_date", "desc")
    add_columns = list_columns
    edit_columns = list_columns
    show_columns = list_columns
    related_views = [FinanceTariffView]

    def pre_add(self, item: SchoolYear) -> None:
        _check_period(item)

    def pre_update(self, item: SchoolYear) -> None:
        _check_period(item)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffSchoolView, _l("Écoles"), "Paramètres", "fa-university")
    add_menu_view(appbuilder, StaffServiceView, _l("Services"), "Paramètres", "fa-cutlery")
    add_menu_view(appbuilder, StaffServiceCapacityView, _l("Capacités"), "Paramètres",
                  "fa-th")
    add_menu_view(appbuilder, StaffSchoolYearView, _l("Années scolaires"), "Paramètres",
                  "fa-calendar-o")
    add_menu_view(appbuilder, StaffClosureView, _l("Fermetures"), "Paramètres", "fa-ban")
