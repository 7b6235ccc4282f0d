"""The four roles, defined in code (FAB builtin roles): deny by default.

View names follow a convention so that a new view lands in the right role by its name:
- ``Parent*`` views, APIs and menu categories: the parent space, always scoped to the
  user's family;
- ``Staff*`` views: the back office of the service des affaires scolaires;
- ``Finance*`` views: tariffs, billing runs, exports (manager);
- the FAB security views (users, roles): Admin only.
"""

from __future__ import annotations

import logging

from flask import current_app

ADMIN, MANAGER, AGENT, PARENT = "Admin", "Gestionnaire", "Agent", "Parent"
STAFF_ROLES = (ADMIN, MANAGER, AGENT)

_CRUD = "can_(list|show|add|edit|delete)"
_MENU = "menu_access"
# Paramètres (schools, services and their deadlines, capacities, school years, closures):
# agents read them, managers and admins change them; the audit log is not an agent's.
_SETTINGS = "Staff(School|Service|ServiceCapacity|SchoolYear|Closure)View"
_NOT_FOR_AGENTS = f"{_SETTINGS}$|StaffAuditLogView$"

ROLES: dict[str, list[list[str]]] = {
    # Everything but the parent space (an admin has no family; Parent* views are scoped).
    ADMIN: [["^(?!Parent).*", ".*"]],
    MANAGER: [
        ["^Staff.*", ".*"],
        ["^Finance.*", ".*"],
        ["^(HomeIndexView|StaffHomeView)$", ".*"],
        ["^(UserInfoEditView|ResetMyPasswordView)$", ".*"],
        ["^UserDBModelView$", "can_userinfo|resetmypassword"],
        ["^LocaleView$", ".*"],
        ["^(Accueil|Familles|Réservations|Finances|Documents|Communication|Paramètres)$", _MENU],
        ["^Staff.*", _MENU],
        ["^Finance.*", _MENU],
    ],
    AGENT: [
        # Everything staff does, except prices, billing runs and exports.
        [f"^(?!{_NOT_FOR_AGENTS})Staff.*", _CRUD],
        [f"^{_SETTINGS}$", "can_(list|show)"],
        ["^Staff.*", "can_(decide|attendance|resend|unlock|revoke|review|this_form_get|"
                     "this_form_post)"],
        ["^Staff.*", "^(validate|refuse|mark_.*|accept|reject)$"],
        ["^FinancePayment.*", "can_(list|show|add)"],
        ["^FinanceInvoice.*", "can_(list|show|pdf)"],
        ["^(HomeIndexView|StaffHomeView)$", ".*"],
        ["^(UserInfoEditView|ResetMyPasswordView)$", ".*"],
        ["^UserDBModelView$", "can_userinfo|resetmypassword"],
        ["^LocaleView$", ".*"],
        ["^(Accueil|Familles|Réservations|Finances|Documents|Communication|Paramètres)$", _MENU],
        ["^(?!StaffAuditLogView$)Staff.*", _MENU],
        ["^FinancePayment.*|^FinanceInvoice.*", _MENU],
    ],
    PARENT: [
        ["^Parent.*", ".*"],
        ["^HomeIndexView$", ".*"],
        ["^LocaleView$", ".*"],
    ],
}


def is_staff(user) -> bool:
    return any(role.name in STAFF_ROLES for role in getattr(user, "roles", []) or [])


def is_admin(user) -> bool:
    return any(role.name == ADMIN for role in getattr(user, "roles", []) or [])


def is_parent(user) -> bool:
    return any(role.name == PARENT for role in getattr(user, "roles", []) or [])


class _HideFabUserHint(logging.Filter):
    """FAB warns "No user yet created, use flask fab command": here the admin comes from
    `flask portal init` (or the demo), so the hint would mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "flask fab" not in record.getMessage()


def ensure_roles() -> None:
    """Create the builtin roles and permission rows (idempotent)."""
    sm = current_app.appbuilder.sm
    fab_log = logging.getLogger("flask_appbuilder.security.manager")
    hint_filter = _HideFabUserHint()
    fab_log.addFilter(hint_filter)
    try:
        sm.create_roles()
    finally:
        fab_log.removeFilter(hint_filter)
    current_app.appbuilder.add_permissions(update_perms=True)
