"""Mon compte: read-only FAB views of the family, its guardians, children, authorised persons
and quotient familial. Changes go through the "Mon compte" page (my_account.py), which checks
them and sends sensitive ones to staff."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from ...models import AuthorizedPerson, Child, Diet, Family, Guardian, QuotientFamilial
from ..base import ParentModelView, PortalInterface
from ..formatters import enum_label, french_date

READ_ONLY = {"can_list", "can_show"}


class ParentAuthorizedPersonView(ParentModelView):
    datamodel = PortalInterface(AuthorizedPerson)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Personnes autorisées")
    list_columns = [
        "child",
        "full_name",
        "relationship_label",
        "phone",
        "can_pick_up",
        "emergency_contact",
    ]
    label_columns = {
        "child": _l("Enfant"),
        "full_name": _l("Nom"),
        "relationship_label": _l("Lien"),
        "phone": _l("Téléphone"),
        "can_pick_up": _l("Peut récupérer l'enfant"),
        "emergency_contact": _l("À prévenir en cas d'urgence"),
    }


class ParentChildView(ParentModelView):
    datamodel = PortalInterface(Child)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Mes enfants")
    list_columns = ["first_name", "last_name", "birth_date", "school", "class_name"]
    show_columns = [
        "first_name",
        "last_name",
        "birth_date",
        "school",
        "class_name",
        "diet",
        "allergies",
        "has_pai",
        "pai_details",
    ]
    search_columns = ["first_name", "school"]
    label_columns = {
        "first_name": _l("Prénom"),
        "last_name": _l("Nom"),
        "birth_date": _l("Date de naissance"),
        "school": _l("École"),
        "class_name": _l("Classe"),
        "diet": _l("Régime"),
        "allergies": _l("Allergies"),
        "has_pai": _l("PAI"),
        "pai_details": _l("Détails du PAI"),
    }
    formatters_columns = {"diet": enum_label(Diet), "birth_date": french_date}
    related_views = [ParentAuthorizedPersonView]


class ParentGuardianView(ParentModelView):
    datamodel = PortalInterface(Guardian)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Responsables légaux")
    list_columns = ["first_name", "last_name", "relationship_label", "email", "phone_mobile"]
    show_columns = [*list_columns, "phone_work"]
    search_columns = ["last_name"]
    label_columns = {
        "first_name": _l("Prénom"),
        "last_name": _l("Nom"),
        "relationship_label": _l("Lien"),
        "email": _l("Courriel"),
        "phone_mobile": _l("Téléphone portable"),
        "phone_work": _l("Téléphone professionnel"),
    }


class ParentQuotientView(ParentModelView):
    datamodel = PortalInterface(QuotientFamilial)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Quotient familial")
    list_columns = ["value", "valid_from", "valid_to", "source"]
    base_order = ("valid_from", "desc")
    search_columns = ["valid_from"]
    label_columns = {
        "value": _l("Quotient familial"),
        "valid_from": _l("Valable du"),
        "valid_to": _l("au"),
        "source": _l("Justificatif"),
    }
    formatters_columns = {"valid_from": french_date, "valid_to": french_date}


class ParentFamilyView(ParentModelView):
    """The family's record, read-only (edited on the "Mon compte" page)."""

    datamodel = PortalInterface(Family)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Ma famille")
    list_columns = ["name", "account_code", "address", "postal_code", "city", "phone", "email"]
    show_columns = list_columns
    search_columns = ["name"]
    label_columns = {
        "name": _l("Famille"),
        "account_code": _l("N° de compte"),
        "address": _l("Adresse"),
        "postal_code": _l("Code postal"),
        "city": _l("Commune"),
        "phone": _l("Téléphone"),
        "email": _l("Courriel"),
    }
    related_views = [ParentGuardianView, ParentChildView, ParentQuotientView]


def register(appbuilder: AppBuilder) -> None:
    from .my_account import ParentAccountView

    # « Mon compte » is one page (my_account.py); the FAB views stay reachable from it.
    appbuilder.add_view(ParentAccountView, "ParentAccount", label=_l("Mon compte"),
                        icon="fa-user")
    for view in (ParentFamilyView, ParentChildView, ParentGuardianView, ParentQuotientView,
                 ParentAuthorizedPersonView):
        appbuilder.add_view_no_menu(view)
