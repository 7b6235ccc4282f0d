"""Paramètres › Journal des modifications: who changed what, when (read-only; written by
app/audit.py for every staff change)."""

from __future__ import annotations

import json

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import AuditLog
from .common import READ_ONLY_ROUTES, PortalStaffView, add_menu_view, labels

_ACTIONS = {
    "insert": _l("Création"),
    "update": _l("Modification"),
    "delete": _l("Suppression"),
    "billing": _l("Facturation"),  # one entry per billing run (its totals)
}

_TABLES = {
    "family": _l("Famille"),
    "guardian": _l("Responsable légal"),
    "child": _l("Enfant"),
    "family_child": _l("Famille – enfant"),
    "authorized_person": _l("Personne autorisée"),
    "quotient_familial": _l("Quotient familial"),
    "school": _l("École"),
    "service": _l("Service"),
    "service_capacity": _l("Capacité"),
    "school_year": _l("Année scolaire"),
    "closure": _l("Fermeture"),
    "enrolment": _l("Inscription"),
    "booking": _l("Réservation"),
    "family_request": _l("Demande"),
    "alert": _l("Alerte"),
    "tariff": _l("Tarif"),
    "tariff_bracket": _l("Tranche tarifaire"),
    "invoice": _l("Facture"),
    "invoice_line": _l("Ligne de facture"),
    "credit_note": _l("Avoir"),
    "payment": _l("Règlement"),
    "sepa_mandate": _l("Mandat SEPA"),
    "document_type": _l("Type de document"),
    "family_document": _l("Document de famille"),
    "published_document": _l("Document publié"),
    "news": _l("Actualité"),
    "ab_user": _l("Utilisateur"),
}


def _table(value) -> str:
    label = _TABLES.get(value)
    return f"{label} ({value})" if label else (value or "")


def _changes(value) -> str:
    """One line per column: `column : old → new` (or its value for a creation)."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return value or ""
    lines = []
    for column, change in data.items():
        if isinstance(change, list) and len(change) == 2:
            lines.append(f"{column} : {change[0]} → {change[1]}")
        else:
            lines.append(f"{column} : {change}")
    return "\n".join(lines)


class StaffAuditLogView(PortalStaffView):
    datamodel = SQLAInterface(AuditLog)
    route_base = "/gestion/journal"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Journal des modifications")
    show_title = _l("Détail de la modification")
    label_columns = labels({
        "at": _l("Date"),
        "username": _l("Utilisateur"),
        "action": _l("Action"),
        "table_name": _l("Donnée"),
        "object_id": _l("N° de l'enregistrement"),
        "changes": _l("Modifications"),
    })
    formatters_columns = {
        "action": lambda v: str(_ACTIONS.get(v, v or "")),
        "table_name": _table,
        "changes": _changes,
    }
    list_columns = ["at", "username", "action", "table_name", "object_id"]
    search_columns = ["at", "username", "action", "table_name", "object_id"]
    base_order = ("at", "desc")
    show_columns = ["at", "username", "action", "table_name", "object_id", "changes"]


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffAuditLogView, _l("Journal des modifications"), "Paramètres",
                  "fa-history")
