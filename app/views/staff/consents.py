"""Consents in the back office: the documents to accept and their versions (the town
publishes a new version: every family is asked again), and who accepted which version,
with the CSV export of the filtered list."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import ConsentAnswer, ConsentDocument, ConsentVersion
from .common import READ_ONLY_ROUTES, PortalStaffView, add_menu_view, labels, reject


class StaffConsentVersionView(PortalStaffView):
    datamodel = SQLAInterface(ConsentVersion)
    route_base = "/gestion/consentements/versions"
    list_title = _l("Versions des consentements")
    show_title = _l("Version d'un consentement")
    add_title = _l("Nouvelle version")
    edit_title = _l("Modifier la version")
    label_columns = labels({
        "document": _l("Consentement"),
        "number": _l("Version n°"),
        "effective_from": _l("En vigueur à partir du"),
        "text": _l("Texte accepté par les familles"),
        "published_document": _l("Document publié (PDF)"),
    })
    list_columns = ["document", "number", "effective_from"]
    search_columns = ["document", "number", "effective_from"]
    base_order = ("effective_from", "desc")
    add_columns = ["document", "number", "effective_from", "text", "published_document"]
    edit_columns = add_columns
    show_columns = add_columns

    def pre_add(self, item: ConsentVersion) -> None:
        _check_version(item)
        item.created_by_id = self.current_user_id()

    def pre_update(self, item: ConsentVersion) -> None:
        _check_version(item)


def _check_version(item: ConsentVersion) -> None:
    if item.number is None or item.number < 1:
        reject(_l("Le numéro de version commence à 1."))
    if not (item.text or "").strip():
        reject(_l("Indiquez le texte que les familles acceptent."))


class StaffConsentDocumentView(PortalStaffView):
    datamodel = SQLAInterface(ConsentDocument)
    route_base = "/gestion/consentements"
    list_title = _l("Consentements demandés aux familles")
    show_title = _l("Consentement")
    add_title = _l("Nouveau consentement")
    edit_title = _l("Modifier le consentement")
    label_columns = labels({
        "code": _l("Code"),
        "title": _l("Intitulé"),
        "required": _l("Obligatoire pour réserver"),
        "description": _l("Description"),
        "versions": _l("Versions"),
    })
    list_columns = ["title", "code", "required", "active"]
    search_columns = ["title", "code", "required", "active"]
    base_order = ("title", "asc")
    add_columns = ["code", "title", "description", "required", "active"]
    edit_columns = add_columns
    show_columns = add_columns
    related_views = [StaffConsentVersionView]


class StaffConsentAnswerView(PortalStaffView):
    """Who accepted or refused which version, when (read-only; exported as CSV)."""

    datamodel = SQLAInterface(ConsentAnswer)
    route_base = "/gestion/consentements/reponses"
    list_title = _l("Réponses des familles aux consentements")
    show_title = _l("Réponse à un consentement")
    include_route_methods = READ_ONLY_ROUTES
    label_columns = labels({
        "version": _l("Consentement et version"),
        "guardian": _l("Responsable légal"),
        "accepted": _l("Accepté"),
        "answered_at": _l("Répondu le"),
    })
    list_columns = ["family", "guardian", "version", "accepted", "answered_at"]
    search_columns = ["family", "version", "accepted", "answered_at"]
    show_columns = list_columns
    base_order = ("answered_at", "desc")


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffConsentDocumentView, _l("Consentements"), "Familles",
                  "fa-check-square-o")
    add_menu_view(appbuilder, StaffConsentAnswerView, _l("Réponses aux consentements"),
                  "Familles", "fa-list")
    appbuilder.add_view_no_menu(StaffConsentVersionView)
