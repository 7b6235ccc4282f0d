"""What a data-change request says, field by field, in French (the staff queue, the
parent's « Mon compte »): read-only."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...models import Diet, Request, RequestKind

LABELS = {
    "allergies": _l("Allergies"),
    "has_pai": _l("PAI (projet d'accueil individualisé)"),
    "pai_details": _l("Détails du PAI"),
    "diet": _l("Régime alimentaire"),
    "medical_notes": _l("Informations médicales"),
    "value": _l("Quotient familial"),
    "valid_from": _l("Valable à partir du"),
    "valid_to": _l("Valable jusqu'au"),
    "full_name": _l("Nom et prénom"),
    "relationship_label": _l("Lien avec l'enfant"),
    "phone": _l("Téléphone"),
    "can_pick_up": _l("Peut venir chercher l'enfant"),
    "emergency_contact": _l("À prévenir en cas d'urgence"),
    "first_name": _l("Prénom"),
    "last_name": _l("Nom"),
    "birth_date": _l("Date de naissance"),
    "school_id": _l("École"),
    "class_name": _l("Classe"),
}



def request_values(request: Request) -> tuple[dict, dict]:
    """The request's (old, new) JSON values."""
    return json.loads(request.old_value or "{}"), json.loads(request.new_value or "{}")


# --- display --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if name == "diet":
        return Diet.labels().get(value, value)
    if name == "school_id":
        from ...extensions import db
        from ...models import School

        school = db.session.get(School, value)
        return school.name if school else str(value)
    if name in ("valid_from", "valid_to", "birth_date"):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def describe_change(request: Request) -> list[ChangeLine]:
    """The request's old → new values, field by field, in French (staff queue, parents)."""
    if request.kind != RequestKind.data_change:
        return []
    old, new = request_values(request)
    before, after = old.get("fields") or {}, new.get("fields") or {}
    names = list(dict.fromkeys([*after, *before]))
    return [ChangeLine(str(LABELS.get(n, n)), _show(n, before.get(n)), _show(n, after.get(n)))
            for n in names]
