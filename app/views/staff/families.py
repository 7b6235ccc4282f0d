"""Familles: the family (foyer), its guardians, children, authorised persons and QF.

A family's page gathers everything about it in tabs (related views), children included:
Family↔Child is many-to-many (a child of separated parents belongs to two families),
which FAB's related view filters through the `families` relation.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import AppBuilder
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import AuthorizedPerson, Child, Diet, Family, Guardian, QuotientFamilial
from ...services.exports import catalogue
from .bookings import StaffAlertView, StaffBookingView, StaffEnrolmentView, StaffRequestView
from .common import PortalStaffView, add_menu_view, labels, reject
from .documents import StaffFamilyDocumentView
from .finance import FinanceInvoiceView, FinancePaymentView, FinanceSepaMandateView


def _check_dates(item) -> None:
    if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
        reject(_l("La date de fin doit être postérieure à la date de début."))


class StaffQuotientView(PortalStaffView):
    datamodel = SQLAInterface(QuotientFamilial)
    route_base = "/gestion/quotients"
    list_title = _l("Quotients familiaux")
    show_title = _l("Fiche quotient familial")
    add_title = _l("Nouveau quotient familial")
    edit_title = _l("Modifier le quotient familial")
    label_columns = labels({"value": _l("Quotient familial"),
                            "source": _l("Justificatif (ex. attestation CAF du …)")})
    list_columns = ["family", "value", "valid_from", "valid_to", "source"]
    search_columns = ["value", "valid_from", "valid_to", "source"]
    base_order = ("valid_from", "desc")
    add_columns = list_columns
    edit_columns = list_columns
    show_columns = list_columns

    def pre_add(self, item: QuotientFamilial) -> None:
        _check_dates(item)

    def pre_update(self, item: QuotientFamilial) -> None:
        _check_dates(item)


class StaffGuardianView(PortalStaffView):
    datamodel = SQLAInterface(Guardian)
    route_base = "/gestion/responsables"
    list_title = _l("Responsables légaux")
    show_title = _l("Fiche responsable légal")
    add_title = _l("Nouveau responsable légal")
    edit_title = _l("Modifier le responsable légal")
    label_columns = labels({
        "relationship_label": _l("Lien (mère, père, tuteur…)"),
        "phone_mobile": _l("Téléphone portable"),
        "phone_work": _l("Téléphone professionnel"),
        "user": _l("Compte de connexion"),
    })
    list_columns = ["last_name", "first_name", "family", "relationship_label", "email",
                    "phone_mobile", "user"]
    search_columns = ["last_name", "first_name", "email", "phone_mobile", "relationship_label"]
    base_order = ("last_name", "asc")
    # The login is issued by the account procedure, never picked in a list.
    add_columns = ["family", "first_name", "last_name", "relationship_label", "email",
                   "phone_mobile", "phone_work"]
    edit_columns = add_columns
    show_columns = [*add_columns, "user", "created_at", "updated_at"]


class StaffAuthorizedPersonView(PortalStaffView):
    datamodel = SQLAInterface(AuthorizedPerson)
    route_base = "/gestion/personnes-autorisees"
    list_title = _l("Personnes autorisées")
    show_title = _l("Fiche personne autorisée")
    add_title = _l("Nouvelle personne autorisée")
    edit_title = _l("Modifier la personne autorisée")
    label_columns = labels({
        "full_name": _l("Nom et prénom"),
        "can_pick_up": _l("Peut venir chercher l'enfant"),
        "emergency_contact": _l("À prévenir en cas d'urgence"),
    })
    list_columns = ["full_name", "child", "relationship_label", "phone", "can_pick_up",
                    "emergency_contact"]
    search_columns = ["full_name", "phone", "can_pick_up", "emergency_contact"]
    base_order = ("full_name", "asc")
    add_columns = ["child", "full_name", "relationship_label", "phone", "can_pick_up",
                   "emergency_contact"]
    edit_columns = add_columns
    show_columns = add_columns


class StaffChildView(PortalStaffView):
    datamodel = SQLAInterface(Child)
    export_spec = catalogue.CHILDREN
    route_base = "/gestion/enfants"
    list_title = _l("Enfants")
    show_title = _l("Fiche enfant")
    add_title = _l("Nouvel enfant")
    edit_title = _l("Modifier l'enfant")
    label_columns = labels({
        "birth_date": _l("Date de naissance"),
        "class_name": _l("Classe"),
        "allergies": _l("Allergies"),
        "has_pai": _l("PAI"),
        "pai_details": _l("Détails du PAI"),
        "diet": _l("Régime alimentaire"),
        "medical_notes": _l("Informations médicales"),
        "photo_consent": _l("Autorisation photo"),
    })
    enum_columns = {"diet": Diet}
    list_columns = ["last_name", "first_name", "birth_date", "school", "class_name", "families",
                    "diet", "has_pai"]
    search_columns = ["last_name", "first_name", "birth_date", "school", "class_name", "diet",
                      "has_pai"]
    base_order = ("last_name", "asc")
    show_fieldsets = [
        (_l("Identité"), {"fields": ["last_name", "first_name", "birth_date", "families"]}),
        (_l("Scolarité"), {"fields": ["school", "class_name"]}),
        (_l("Santé et alimentation"), {"fields": ["allergies", "has_pai", "pai_details", "diet",
                                                  "medical_notes"]}),
        (_l("Autorisations"), {"fields": ["photo_consent", "created_at", "updated_at"]}),
    ]
    add_columns = ["last_name", "first_name", "birth_date", "families", "school", "class_name",
                   "allergies", "has_pai", "pai_details", "diet", "medical_notes",
                   "photo_consent"]
    edit_columns = add_columns
    related_views = [StaffEnrolmentView, StaffBookingView, StaffAuthorizedPersonView,
                     StaffFamilyDocumentView]

    def pre_add(self, item: Child) -> None:
        _check_has_family(item)

    def pre_update(self, item: Child) -> None:
        _check_has_family(item)


def _check_has_family(item: Child) -> None:
    if not item.families:
        reject(_l("Un enfant doit être rattaché à au moins une famille."))


class StaffFamilyView(PortalStaffView):
    datamodel = SQLAInterface(Family)
    export_spec = catalogue.FAMILIES
    route_base = "/gestion/familles"
    list_title = _l("Familles")
    show_title = _l("Fiche famille")
    add_title = _l("Nouvelle famille")
    edit_title = _l("Modifier la famille")
    label_columns = labels({
        "account_code": _l("N° de compte"),
        "name": _l("Nom du foyer"),
        "notes": _l("Notes du service"),
        "active": _l("Compte actif"),
        "billing_guardian": _l("Contact facturation (nommé sur les factures)"),
        "unpaid_block_exempt": _l("Exception au seuil d'impayés (réservations jamais bloquées)"),
    })
    list_columns = ["account_code", "name", "city", "phone", "email", "active"]
    search_columns = ["account_code", "name", "address", "postal_code", "city", "phone", "email",
                      "active"]
    base_order = ("name", "asc")
    show_fieldsets = [
        (_l("Foyer"), {"fields": ["account_code", "name", "active"]}),
        (_l("Coordonnées"), {"fields": ["address", "postal_code", "city", "phone", "email"]}),
        (_l("Facturation"), {"fields": ["billing_guardian", "unpaid_block_exempt"]}),
        (_l("Suivi"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]
    add_columns = ["account_code", "name", "address", "postal_code", "city", "phone", "email",
                   "notes", "active"]
    edit_columns = [*add_columns, "billing_guardian", "unpaid_block_exempt"]
    show_template = "messages/staff_family_show.html"  # adds « Écrire à la famille »

    def pre_update(self, item: Family) -> None:
        guardian = item.billing_guardian
        if guardian is not None and guardian.family_id != item.id:
            reject(_l("Le contact facturation doit être un responsable de ce foyer."))
    related_views = [
        StaffGuardianView, StaffChildView, StaffQuotientView, StaffEnrolmentView,
        StaffBookingView, StaffRequestView, StaffAlertView, FinanceInvoiceView,
        FinancePaymentView, FinanceSepaMandateView, StaffFamilyDocumentView,
    ]

    @action("rgpd", _l("RGPD : anonymiser…"), None, "fa-user-secret", multiple=False)
    def gdpr(self, item):
        """To the family's RGPD page (managers and admins: agents have no `rgpd`)."""
        return redirect(url_for("StaffGdprView.family", pk=item.id), 303)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffFamilyView, _l("Familles"), "Familles", "fa-home")
    add_menu_view(appbuilder, StaffGuardianView, _l("Responsables légaux"), "Familles",
                  "fa-user")
    add_menu_view(appbuilder, StaffChildView, _l("Enfants"), "Familles", "fa-child")
    add_menu_view(appbuilder, StaffQuotientView, _l("Quotients familiaux"), "Familles",
                  "fa-calculator")
    appbuilder.add_view_no_menu(StaffAuthorizedPersonView)
