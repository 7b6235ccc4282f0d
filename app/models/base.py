"""Shared column types and small helpers for every aggregate."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric

__all__ = ["Model", "Money", "LabelledEnum", "TimestampMixin", "utcnow", "user_fk"]

#: Every amount of money: exact decimal, two places, never float.
Money = Numeric(10, 2, asdecimal=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def user_fk(nullable: bool = True, **kwargs) -> Column:
    """A reference to an FAB user (ab_user); kept when the user is deleted."""
    return Column(
        Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=nullable, **kwargs
    )


class LabelledEnum(StrEnum):
    """A state stored as its short English code; `LABELS` (set after the class,
    with lazy_gettext literals so Babel extracts them) gives the French label."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: str(cls.LABELS[m]) for m in cls}  # type: ignore[attr-defined]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.labels().items())

    @property
    def label(self) -> str:
        return str(type(self).LABELS[self])  # type: ignore[attr-defined]


class TimestampMixin:
    created_at = Column(DateTime, default=utcnow, nullable=False)
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
