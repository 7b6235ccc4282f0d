"""Read-only lists of the parent's « Alertes », « Mes demandes » and « Historique et
présences » pages: every household of the login side by side (docs/architecture.md), newest
first, a page at a time, in a fixed number of statements whatever the page holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Alert, Booking, Family, Request

PAGE_SIZE = 20


@dataclass
class Listing:
    items: list
    page: int
    pages: int
    total: int
    households: dict[int, str] = field(default_factory=dict)  # id → name, when several

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def page_number(text: str | None) -> int:
    """?page=… as typed: anything but a positive number is the first page."""
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _listing(model, query, family_ids: list[int], page: int) -> Listing:
    ids = family_ids or [-1]
    total = db.session.scalar(
        select(func.count(model.id)).where(model.family_id.in_(ids))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    items = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    households = {}
    if len(family_ids) > 1:
        households = dict(db.session.execute(
            select(Family.id, Family.name).where(Family.id.in_(ids))).all())
    return Listing(items, page, pages, total, households)


def alerts_of(family_ids: list[int], page: int = 1) -> Listing:
    query = (select(Alert).where(Alert.family_id.in_(family_ids or [-1]))
             .order_by(Alert.created_at.desc(), Alert.id.desc()))
    return _listing(Alert, query, family_ids, page)


def unread_alert_ids(family_ids: list[int]) -> list[int]:
    return list(db.session.scalars(select(Alert.id).where(
        Alert.family_id.in_(family_ids or [-1]), Alert.read_at.is_(None))))


def requests_of(family_ids: list[int], page: int = 1) -> Listing:
    query = (select(Request).where(Request.family_id.in_(family_ids or [-1]))
             .options(selectinload(Request.child))
             .order_by(Request.created_at.desc(), Request.id.desc()))
    return _listing(Request, query, family_ids, page)


def bookings_of(family_ids: list[int], page: int = 1) -> Listing:
    query = (select(Booking).where(Booking.family_id.in_(family_ids or [-1]))
             .options(selectinload(Booking.child), selectinload(Booking.service))
             .order_by(Booking.day.desc(), Booking.id.desc()))
    return _listing(Booking, query, family_ids, page)
