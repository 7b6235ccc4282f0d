"""Audit log of staff changes: every insert, update and delete made by a staff member
through any view or API is recorded in the same transaction (app.models.AuditLog)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import Flask, has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .models import AuditLog
from .security.roles import is_staff

_SECRET_COLUMNS = {"password", "stored_name"}
_SKIPPED_TABLES = {
    "audit_log",
    "outgoing_mail",
    "ab_permission_view_role",
    "ab_permission_view",
    "ab_view_menu",
    "ab_permission",
}
_registered = False


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    result = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SECRET_COLUMNS:
            continue
        history = state.attrs[key].history
        if action == "update":
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                result[key] = [_jsonable(old), _jsonable(new)]
        else:
            result[key] = _jsonable(getattr(obj, key))
    return result


def _staff_user():
    if not has_request_context():
        return None
    user = current_user
    if user is None or not user.is_authenticated or not is_staff(user):
        return None
    return user


def _before_flush(session: Session, flush_context, instances) -> None:
    user = _staff_user()
    if user is None:
        return
    entries = []
    for action, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if not table or table in _SKIPPED_TABLES or isinstance(obj, AuditLog):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            entries.append((obj, action, table, changes))
    pending = session.info.setdefault("audit_pending_ids", [])
    for obj, action, table, changes in entries:
        entry = AuditLog(
            user_id=user.id,
            username=user.username,
            action=action,
            table_name=table,
            object_id=str(getattr(obj, "id", "") or ""),
            changes=json.dumps(changes, ensure_ascii=False, default=str),
        )
        session.add(entry)
        if action == "insert":
            pending.append((entry, obj))


def _after_flush(session: Session, flush_context) -> None:
    """Ids of inserted rows are known only now; the commit's next flush stores them."""
    for entry, obj in session.info.pop("audit_pending_ids", []):
        entry.object_id = str(getattr(obj, "id", "") or "")


def register(app: Flask) -> None:
    global _registered
    if not _registered:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        _registered = True
