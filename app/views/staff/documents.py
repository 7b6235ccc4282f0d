"""Documents: types, documents sent by families, documents published by the structure.

Files are listed and shown by their metadata only; upload, download and review come
with the documents rubrique (stored names never appear here).
"""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import DocumentState, DocumentType, FamilyDocument, PublishedDocument
from .common import READ_ONLY_ROUTES, PortalStaffView, add_menu_view, labels

_FILE_LABELS = {
    "original_filename": _l("Fichier"),
    "content_type": _l("Format"),
    "size": _l("Taille"),
}


def _size(value) -> str:
    if value is None:
        return ""
    if value < 1024 * 1024:
        return f"{max(1, round(value / 1024))} Ko"
    return f"{value / (1024 * 1024):.1f} Mo".replace(".", ",")


class StaffFamilyDocumentView(PortalStaffView):
    datamodel = SQLAInterface(FamilyDocument)
    route_base = "/gestion/documents-familles"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Documents des familles")
    show_title = _l("Fiche document")
    label_columns = labels({
        **_FILE_LABELS,
        "document_type": _l("Type de document"),
        "uploaded_at": _l("Déposé le"),
        "reason": _l("Motif du refus"),
        "valid_from": _l("Valable à partir du"),
        "valid_until": _l("Valable jusqu'au"),
        "reviewed_at": _l("Vérifié le"),
    })
    enum_columns = {"state": DocumentState}
    formatters_columns = {"size": _size}
    list_columns = ["uploaded_at", "family", "child", "document_type", "original_filename",
                    "state", "valid_until"]
    search_columns = ["state", "document_type", "uploaded_at", "valid_until",
                      "original_filename"]
    base_order = ("uploaded_at", "desc")
    show_columns = ["family", "child", "document_type", "original_filename", "content_type",
                    "size", "uploaded_at", "state", "reason", "valid_from", "valid_until",
                    "reviewed_at"]


class StaffDocumentTypeView(PortalStaffView):
    datamodel = SQLAInterface(DocumentType)
    route_base = "/gestion/types-de-documents"
    list_title = _l("Types de documents")
    show_title = _l("Fiche type de document")
    add_title = _l("Nouveau type de document")
    edit_title = _l("Modifier le type de document")
    label_columns = labels({
        "validity_months": _l("Validité (mois, vide = sans limite)"),
        "required": _l("Obligatoire pour chaque famille"),
    })
    list_columns = ["code", "label", "validity_months", "required"]
    search_columns = ["code", "label", "required"]
    base_order = ("label", "asc")
    add_columns = list_columns
    edit_columns = list_columns
    show_columns = list_columns
    related_views = [StaffFamilyDocumentView]


_CATEGORIES = {
    "menu": _l("Menus"),
    "tarifs": _l("Tarifs"),
    "reglement": _l("Règlement intérieur"),
    "autre": _l("Autre"),
}


class StaffPublishedDocumentView(PortalStaffView):
    datamodel = SQLAInterface(PublishedDocument)
    route_base = "/gestion/documents-publies"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Documents publiés")
    show_title = _l("Fiche document publié")
    label_columns = labels({**_FILE_LABELS, "category": _l("Catégorie"),
                            "school": _l("École (vide = toutes)")})
    formatters_columns = {
        "category": lambda v: str(_CATEGORIES.get(v, v or "")),
        "size": _size,
    }
    list_columns = ["title", "category", "school", "published_on", "unpublished_on"]
    search_columns = ["title", "category", "school", "published_on", "unpublished_on"]
    base_order = ("published_on", "desc")
    show_columns = ["title", "category", "school", "original_filename", "content_type", "size",
                    "published_on", "unpublished_on"]


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffDocumentTypeView, _l("Types de documents"), "Documents",
                  "fa-list")
    add_menu_view(appbuilder, StaffFamilyDocumentView, _l("Documents des familles"),
                  "Documents", "fa-folder-open")
    add_menu_view(appbuilder, StaffPublishedDocumentView, _l("Documents publiés"), "Documents",
                  "fa-newspaper-o")
