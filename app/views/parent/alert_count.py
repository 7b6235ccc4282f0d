"""The number of unread alerts, shown beside « Alertes » in the parent's menu.

A context processor exposes `unread_alerts` to every page: one query for a logged-in
parent (their families' alerts not read yet), none for anybody else (0).
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_appbuilder import AppBuilder
from flask_login import current_user
from sqlalchemy import func, select

from ...extensions import db
from ...models import Alert, Guardian
from ...security.roles import is_parent


def unread_alert_count(user_id: int) -> int:
    """Unread alerts of the families this user is a guardian of (one query)."""
    query = (
        select(func.count(Alert.id))
        .join(Guardian, Guardian.family_id == Alert.family_id)
        .where(Guardian.user_id == user_id, Alert.read_at.is_(None))
    )
    return db.session.execute(query).scalar_one()


def _context() -> dict[str, int]:
    if not (current_user and current_user.is_authenticated and is_parent(current_user)):
        return {"unread_alerts": 0}
    return {"unread_alerts": unread_alert_count(current_user.id)}


def register(appbuilder: AppBuilder) -> None:
    app: Flask = current_app._get_current_object()  # called inside create_app's app context
    app.context_processor(_context)
