"""The menus' staff views, registered together (menus.py, menus_import.py and
menus_reports.py; the two others use menus.py's helpers, so none registers the others)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from .common import add_menu_view
from .menus import StaffChildAllergenView, StaffKitchenView, StaffMenuView
from .menus_import import StaffMenuImportView
from .menus_reports import StaffMenuReportView


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffMenuView, _l("Menus"), "Réservations", "fa-cutlery")
    appbuilder.add_view_no_menu(StaffMenuImportView())
    add_menu_view(appbuilder, StaffMenuReportView, _l("Bilan des menus (EGalim, commandes)"),
                  "Réservations", "fa-bar-chart")
    add_menu_view(appbuilder, StaffChildAllergenView, _l("Allergènes des enfants"), "Familles",
                  "fa-exclamation-triangle")
    add_menu_view(appbuilder, StaffKitchenView, _l("Cuisines et prestataires"), "Paramètres",
                  "fa-truck")
