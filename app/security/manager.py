"""The one security manager: FAB's, with the portal's anti-intrusion rule and no security API."""

from __future__ import annotations

import datetime
import logging

from flask import current_app, g
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import current_user
from werkzeug.security import check_password_hash

log = logging.getLogger(__name__)


class DisabledSecurityApi(SecurityApi):
    """FAB's JWT login API stays off: the REST API uses the browser session only."""

    include_route_methods: set[str] = set()


class PortalSecurityManager(SecurityManager):
    security_api = DisabledSecurityApi

    def auth_user_db(self, username, password):
        """Refuse locked accounts even with the right password (contrôle anti-intrusion).
        FAB accepts the username or the email address: both are checked."""
        user = None
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
        if user is not None and self.is_locked(user):
            log.warning("Login refused, account locked: %s", username)
            # Same cost as a real check, so a locked account does not answer faster.
            check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "x")
            self.update_user_auth_stat(user, False)
            return None
        return super().auth_user_db(username, password)

    @staticmethod
    def is_locked(user) -> bool:
        """Locked after N failures in a row, until PORTAL_LOCK_MINUTES after the last one
        (each refused attempt restarts the delay)."""
        config = current_app.config
        if (user.fail_login_count or 0) < config["PORTAL_MAX_FAILED_LOGINS"]:
            return False
        last_failure = user.changed_on or datetime.datetime.now()
        delay = datetime.timedelta(minutes=config["PORTAL_LOCK_MINUTES"])
        return datetime.datetime.now() - last_failure < delay

    def update_user_auth_stat(self, user, success=True):
        if not success:
            user.changed_on = datetime.datetime.now()  # the last failure starts the lock delay
        super().update_user_auth_stat(user, success)

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
