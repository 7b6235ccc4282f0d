"""The number of unread alerts, shown beside « Alertes » in the parent's menu, and of
unread replies of the service, beside « Messages ».

A context processor exposes `unread_alerts` and `unread_messages` to every page: one query
for a logged-in parent (their families' alerts and service messages not read yet), none
for anybody else (0).
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


def unread_counts(user_id: int) -> tuple[int, int]:
    """(unread alerts, unread service messages) of the user's families, in one statement."""
    from ...services.messages import unread_for_family_user

    alerts = (
        select(func.count(Alert.id))
        .join(Guardian, Guardian.family_id == Alert.family_id)
        .where(Guardian.user_id == user_id, Alert.read_at.is_(None))
        .scalar_subquery()
    )
    alerts_count, messages_count = db.session.execute(
        select(alerts, unread_for_family_user(user_id))
    ).one()
    return alerts_count, messages_count


def _context() -> dict[str, int]:
    if not (current_user and current_user.is_authenticated and is_parent(current_user)):
        return {"unread_alerts": 0, "unread_messages": 0}
    alerts, messages = unread_counts(current_user.id)
    return {"unread_alerts": alerts, "unread_messages": messages}


def register(appbuilder: AppBuilder) -> None:
    app: Flask = current_app._get_current_object()  # called inside create_app's app context
    app.context_processor(_context)
