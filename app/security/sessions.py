"""Server-side session revocation and timeouts (OWASP ASVS 3.3).

The signed session cookie carries the login's *session version* (`login_state`), the time of
the login and the time of the last request. Every request checks them when Flask-Login loads
the user (`PortalSecurityManager.load_user`): a cookie whose version is older than the
database's (logout, password change, deactivation, « Déconnecter partout ») or that has been
idle longer than the idle timeout (staff 30 min, parents 30 min by default) or that is older
than the absolute timeout (12 h) no longer authenticates anyone. At login the session starts
afresh: nothing of the anonymous session is kept but the language.
"""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import user_logged_in

from .roles import is_staff

VERSION, AUTHENTICATED_AT, SEEN_AT = "_pv", "_pa", "_ps"
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id")
_KEPT = (*_FLASK_LOGIN_KEYS, "locale")
SEEN_EVERY = 30  # seconds: the last-seen time is rewritten at most this often


def _minutes(name: str, default: int) -> int:
    value = current_app.config.get(name)
    return int(value if value not in (None, "") else default)


def idle_seconds(user) -> int:
    if is_staff(user):
        return 60 * _minutes("PORTAL_STAFF_IDLE_MINUTES", 30)
    return 60 * _minutes("PORTAL_IDLE_MINUTES", 30)


def current_version(user) -> int:
    state = getattr(user, "login_state", None)
    return int(state.session_version) if state is not None else 1


def start(user, version: int | None = None) -> None:
    """A fresh session for `user` (after Flask-Login stored its own keys)."""
    kept = {key: session[key] for key in _KEPT if key in session}
    session.clear()
    session.update(kept)
    now = int(time.time())
    session[VERSION] = current_version(user) if version is None else version
    session[AUTHENTICATED_AT] = now
    session[SEEN_AT] = now


def still_valid(user) -> bool:
    """The request's cookie still belongs to a live session of `user`; refreshes last-seen."""
    now = int(time.time())
    if session.get(VERSION) != current_version(user):
        return False
    if now - int(session.get(AUTHENTICATED_AT) or 0) > 3600 * _minutes(
            "PORTAL_SESSION_MAX_HOURS", 12):
        return False
    seen = int(session.get(SEEN_AT) or 0)
    if now - seen > idle_seconds(user):
        return False
    if now - seen >= SEEN_EVERY:
        session[SEEN_AT] = now
    return True


def end() -> None:
    """Forget the request's session (it no longer authenticates anyone)."""
    for key in list(session.keys()):
        if key != "locale":
            session.pop(key, None)


def _on_login(app, user, **extra) -> None:
    start(user)


def _on_active_set(target, value, oldvalue, initiator) -> None:
    if oldvalue is True and not value:
        target._portal_deactivated = True


def _before_flush(session, flush_context, instances) -> None:
    """A login deactivated by any path (admin form, command) loses its sessions, in the
    same transaction."""
    from flask_appbuilder.security.sqla.models import User

    from ..services.login_guard import bump_session_version

    for obj in list(session.dirty):
        if isinstance(obj, User) and obj.__dict__.pop("_portal_deactivated", False):
            bump_session_version(obj.id)


def register() -> None:
    if not getattr(register, "done", False):
        from flask_appbuilder.security.sqla.models import User
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        user_logged_in.connect(_on_login)
        event.listen(User.active, "set", _on_active_set)
        event.listen(Session, "before_flush", _before_flush)
        register.done = True
