"""Seats per school × service × day, and the waiting list.

Capacity is never exceeded, even under concurrent requests: every change that takes or
frees a seat first locks the ServiceCapacity row of its school and service
(`SELECT … FOR UPDATE` on PostgreSQL), so seat counts and inserts of concurrent
transactions are serialised per school and service. (SQLite serialises writers itself.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func

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


def seats_taken_by_day(service_id: int, school_id: int, days: list[dt.date]) -> dict[dt.date, int]:
    rows = (
        db.session.query(Booking.day, func.count(Booking.id))
        .filter(
            Booking.service_id == service_id,
            Booking.school_id == school_id,
            Booking.day.in_(days),
            Booking.state.in_(SEAT_HOLDING_STATES),
        )
        .group_by(Booking.day)
    )
    return dict(rows.all())


def first_waiting(service_id: int, school_id: int, day: dt.date) -> Booking | None:
    return (
        db.session.query(Booking)
        .filter_by(service_id=service_id, school_id=school_id, day=day, state=BookingState.waiting)
        .order_by(Booking.requested_at, Booking.id)
        .first()
    )
