"""The one security manager: FAB's, with the portal's anti-intrusion rule (CNIL), server-side
sessions, one password policy, and no security API nor FAB password-reset forms."""

from __future__ import annotations

import logging

from flask import current_app, g, request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.utils import is_null_password
from werkzeug.security import check_password_hash

from . import sessions
from .views import (
    ADDRESS_BLOCKED,
    LOCKED,
    ClosedResetMyPasswordView,
    ClosedResetPasswordView,
    PortalAuthDBView,
    UserDBModelView,
)

log = logging.getLogger(__name__)

#: Why the last login attempt of this request was refused (read by the login view).


class DisabledSecurityApi(SecurityApi):
    """FAB's JWT login API stays off: the REST API uses the browser session only."""

    include_route_methods: set[str] = set()


class PortalSecurityManager(SecurityManager):
    security_api = DisabledSecurityApi
    authdbview = PortalAuthDBView
    userdbmodelview = UserDBModelView
    resetpasswordview = ClosedResetPasswordView
    resetmypasswordview = ClosedResetMyPasswordView
    # FAB's English « User's Statistics » (a login-count chart from Google's servers):
    # the managers' Statistiques page (app/views/staff/statistics.py) replaces it.
    userstatschartview = None

    def auth_user_db(self, username, password):
        """Check a login with the shared counters of app/services/login_guard.py: the
        client address first, then one reserved attempt of the account (refused, without
        checking the password, while it is locked). FAB accepts the username or the email."""
        from ..services import login_guard as guard

        g.portal_login_refusal = None
        address = request.remote_addr if request else None
        if guard.address_blocked(address):
            g.portal_login_refusal = ADDRESS_BLOCKED
            self._balance()
            return None
        user = None
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
        if user is None or not user.is_active or is_null_password(password):
            self._balance()
            guard.address_failed(address)
            return None
        reservation = guard.reserve_attempt(user.id)
        if reservation is None:
            log.warning("Login refused, account locked: %s", username)
            g.portal_login_refusal = LOCKED
            self._balance()
            guard.address_failed(address)
            return None
        if check_password_hash(user.password or "", password):
            guard.attempt_succeeded(user.id)
            self.update_user_auth_stat(user, True)
            return user
        guard.address_failed(address)
        until = guard.attempt_failed(user.id, reservation)
        if until is not None:
            g.portal_login_refusal = LOCKED
            self._mail_unlock_link(user, until)
        return None

    @staticmethod
    def _balance() -> None:
        """Same cost as a real check: a refusal does not answer faster."""
        check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "x")

    @staticmethod
    def _mail_unlock_link(user, until) -> None:
        from ..services.account_links import mail_unlock_link
        from ..views.public.links import unlock_url

        try:
            mail_unlock_link(user, until, unlock_url)
        except Exception:  # the lock holds even if the mail cannot be queued
            log.exception("Unlock mail for login %s could not be queued", user.id)

    @staticmethod
    def is_locked(user) -> bool:
        """Locked now (from the login's own row, loaded with the user: no query)."""
        from ..services.login_guard import is_locked

        return is_locked(user)

    def unlock(self, user) -> None:
        from ..extensions import db
        from ..services.login_guard import clear_lock

        clear_lock(user.id)
        db.session.commit()

    # -- sessions -----------------------------------------------------------------------
    def load_user(self, pk):
        """Every request: the login is active and the cookie's session is still live. The
        user, its roles and groups in one statement (FAB's default takes three)."""
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload

        from ..extensions import db

        model = self.user_model
        try:
            user = db.session.scalars(
                select(model).where(model.id == int(pk))
                .options(joinedload(model.roles), joinedload(model.groups))
            ).unique().first()
        except (TypeError, ValueError):
            return None
        if user is None or not user.is_active:
            return None
        if not sessions.still_valid(user):
            sessions.end()
            return None
        return user

    def on_user_logout(self, user) -> None:
        """Logout ends every copy of this session's cookie, not just the browser's."""
        from ..extensions import db
        from ..services.login_guard import bump_session_version

        bump_session_version(user.id)
        db.session.commit()

    def create_roles(self) -> None:
        """Create the builtin roles (from FAB_ROLES) and the admin/public ones."""
        BaseSecurityManager.create_db(self)
