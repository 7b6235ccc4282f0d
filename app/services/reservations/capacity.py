"""Seats per school × service × day, and the waiting list.

Capacity is never exceeded, even under concurrent requests: every change that takes or
frees a seat first locks the ServiceCapacity row of its school and service
(`SELECT … FOR UPDATE` on PostgreSQL), so seat counts and inserts of concurrent
transactions are serialised per school and service. (SQLite serialises writers itself.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select

from ...extensions import db
from ...models import SEAT_HOLDING_STATES, Booking, BookingState, ServiceCapacity


def lock_capacity(service_id: int, school_id: int) -> int | None:
    """Lock the capacity row for this transaction; its seats per day, None if the service
    is not offered at this school."""
    row = (
        db.session.query(ServiceCapacity)
        .filter_by(service_id=service_id, school_id=school_id)
        .with_for_update()
        .populate_existing()
        .one_or_none()
    )
    return None if row is None else row.capacity


def seats_taken(service_id: int, school_id: int, day: dt.date) -> int:
    return (
        db.session.query(func.count(Booking.id))
        .filter(
            Booking.service_id == service_id,
            Booking.school_id == school_id,
            Booking.day == day,
            Booking.state.in_(SEAT_HOLDING_STATES),
        )
        .scalar()
    )


def seats_taken_by_day(keys: Iterable[tuple[int, int, dt.date]]) -> dict[tuple, int]:
    """(service, school, day) → seats taken, for many days at once (one query); a key
    without any booking is absent (0 seats taken)."""
    keys = set(keys)
    if not keys:
        return {}
    services, schools, days = ({key[i] for key in keys} for i in range(3))
    rows = db.session.execute(
        select(Booking.service_id, Booking.school_id, Booking.day, func.count(Booking.id))
        .where(
            Booking.service_id.in_(services),
            Booking.school_id.in_(schools),
            Booking.day.in_(days),
            Booking.state.in_(SEAT_HOLDING_STATES),
        )
        .group_by(Booking.service_id, Booking.school_id, Booking.day)
    ).all()
    return {(s, sc, d): n for s, sc, d, n in rows if (s, sc, d) in keys}


def first_waiting(service_id: int, school_id: int, day: dt.date) -> Booking | None:
    return (
        db.session.query(Booking)
        .filter_by(service_id=service_id, school_id=school_id, day=day, state=BookingState.waiting)
        .order_by(Booking.requested_at, Booking.id)
        .first()
    )
