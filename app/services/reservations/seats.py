"""Seats left on the planning, before the parent clicks: « Dernières places » when a day
has `Service.last_seats_threshold` seats or fewer left, « Complet – liste d'attente » when
it has none (a booking would go to the waiting list).

One SQL statement for the whole month, whatever the number of children, services and days:
the capacities of the family's schools × services, with their seat-holding bookings
counted per day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func

from ...extensions import db
from ...models import SEAT_HOLDING_STATES, Booking, Child, Service, ServiceCapacity


@dataclass
class SeatsLeft:
    capacities: dict[tuple[int, int], int] = field(default_factory=dict)
    taken: dict[tuple[int, int, dt.date], int] = field(default_factory=dict)

    @classmethod
    def load(cls, children: list[Child], services: list[Service], days: list[dt.date]):
        seats = cls()
        if not children or not services:
            return seats
        schools = {child.school_id for child in children}
        rows = (
            db.session.query(
                ServiceCapacity.service_id,
                ServiceCapacity.school_id,
                ServiceCapacity.capacity,
                Booking.day,
                func.count(Booking.id),
            )
            .outerjoin(
                Booking,
                and_(
                    Booking.service_id == ServiceCapacity.service_id,
                    Booking.school_id == ServiceCapacity.school_id,
                    Booking.day.between(days[0], days[-1]),
                    Booking.state.in_(SEAT_HOLDING_STATES),
                ),
            )
            .filter(
                ServiceCapacity.service_id.in_({s.id for s in services}),
                ServiceCapacity.school_id.in_(schools),
            )
            .group_by(
                ServiceCapacity.service_id,
                ServiceCapacity.school_id,
                ServiceCapacity.capacity,
                Booking.day,
            )
        )
        for service_id, school_id, capacity, day, count in rows:
            seats.capacities[(service_id, school_id)] = capacity
            if day is not None:
                seats.taken[(service_id, school_id, day)] = count
        return seats

    def left(self, service_id: int, school_id: int, day: dt.date) -> int | None:
        capacity = self.capacities.get((service_id, school_id))
        if capacity is None:
            return None
        return capacity - self.taken.get((service_id, school_id, day), 0)

    def state(self, service: Service, school_id: int, day: dt.date) -> str | None:
        """"full", "last" or None (plenty of seats, or no capacity known)."""
        left = self.left(service.id, school_id, day)
        if left is None:
            return None
        if left <= 0:
            return "full"
        threshold = service.last_seats_threshold
        return "last" if threshold and left <= threshold else None
