"""Mes documents: the documents the family sent, with their review state."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from ...models import DocumentState, FamilyDocument
from ..base import ParentModelView, PortalInterface
from ..formatters import enum_label, french_date


class ParentFamilyDocumentView(ParentModelView):
    datamodel = PortalInterface(FamilyDocument)
    base_permissions = {"can_list", "can_show"}
    list_title = show_title = _l("Documents transmis")
    list_columns = ["document_type", "original_filename", "child", "uploaded_at", "state",
                    "valid_until"]
    show_columns = [*list_columns, "reason"]
    search_columns = ["document_type", "state", "child"]
    base_order = ("uploaded_at", "desc")
    label_columns = {
        "document_type": _l("Type"),
        "original_filename": _l("Fichier"),
        "child": _l("Enfant"),
        "uploaded_at": _l("Envoyé le"),
        "state": _l("État"),
        "valid_until": _l("Valable jusqu'au"),
        "reason": _l("Motif du refus"),
    }
    formatters_columns = {"state": enum_label(DocumentState), "valid_until": french_date}


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentFamilyDocumentView, "ParentDocuments", label=_l("Documents transmis"),
                        category="ParentDocuments", category_label=_l("Mes documents"))
