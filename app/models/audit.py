"""Who changed what, when: written automatically for every staff change (app.services.audit)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from .base import Model, user_fk, utcnow


class AuditLog(Model):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    user_id = user_fk()
    username = Column(String(100))
    action = Column(String(10), nullable=False)  # insert, update, delete
    table_name = Column(String(64), nullable=False, index=True)
    object_id = Column(String(64))
    changes = Column(Text)  # JSON {column: [old, new]}

    def __repr__(self) -> str:
        where = f"{self.table_name}#{self.object_id}"
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {where}"
