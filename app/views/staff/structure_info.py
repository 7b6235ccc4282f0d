"""Communication › Informations pratiques: the structure's information page that parents
read on their Accueil (hours, addresses, contacts)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import StructureInfo
from .common import PortalStaffView, add_menu_view, labels


class StaffStructureInfoView(PortalStaffView):
    datamodel = SQLAInterface(StructureInfo)
    route_base = "/gestion/informations-pratiques"
    list_title = _l("Informations pratiques")
    show_title = _l("Informations pratiques")
    add_title = _l("Nouvelles informations pratiques")
    edit_title = _l("Modifier les informations pratiques")
    label_columns = labels({
        "title": _l("Titre"),
        "hours": _l("Horaires d'ouverture"),
        "addresses": _l("Adresses"),
        "contacts": _l("Contacts du service"),
        "updated_at": _l("Mise à jour"),
    })
    description_columns = {
        "hours": _l("Une ligne par horaire, par exemple « Lundi, mardi, jeudi, vendredi : "
                    "8 h 30 – 12 h, 13 h 30 – 17 h »."),
        "addresses": _l("L'accueil du service, les écoles, les lieux d'accueil."),
        "contacts": _l("Téléphones et courriels, l'urgence du jour."),
    }
    list_columns = ["title", "updated_at"]
    add_columns = ["title", "hours", "addresses", "contacts"]
    edit_columns = add_columns
    show_columns = [*add_columns, "updated_at"]
    base_order = ("updated_at", "desc")


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffStructureInfoView, _l("Informations pratiques"),
                  "Communication", "fa-info-circle")
