"""The one security manager: FAB's, with the portal's anti-intrusion rule and no security API."""

from __future__ import annotations

import logging

from flask import current_app, g
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import current_user

log = logging.getLogger(__name__)


class DisabledSecurityApi(SecurityApi):
    """FAB's JWT login API stays off: the REST API uses the browser session only."""

    include_route_methods: set[str] = set()


class PortalSecurityManager(SecurityManager):
    security_api = DisabledSecurityApi

    def auth_user_db(self, username, password):
        """Refuse locked accounts even with the right password (contrôle anti-intrusion)."""
        user = self.find_user(username=username) if username else None
        if user is not None and self.is_locked(user):
            log.warning("Login refused, account locked: %s", username)
            self.update_user_auth_stat(user, False)
            return None
        return super().auth_user_db(username, password)

    @staticmethod
    def is_locked(user) -> bool:
        limit = current_app.config["PORTAL_MAX_FAILED_LOGINS"]
        return (user.fail_login_count or 0) >= limit

    def unlock(self, user) -> None:
        user.fail_login_count = 0
        self.update_user(user)

    def create_roles(self) -> None:
        """Create the builtin roles (from FAB_ROLES) and the admin/public ones."""
        BaseSecurityManager.create_db(self)


def current_family_ids() -> list[int]:
    """Ids of the families the logged-in user is a guardian of (cached per request)."""
    cached = g.get("_portal_family_ids")
    if cached is not None:
        return cached
    ids: list[int] = []
    if current_user and current_user.is_authenticated:
        from ..extensions import db
        from ..models import Guardian

        ids = [
            row[0]
            for row in db.session.query(Guardian.family_id).filter(
                Guardian.user_id == current_user.id
            )
        ]
    g._portal_family_ids = ids
    return ids
