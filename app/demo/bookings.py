"""Bookings on open days for each family's weekly plan, with attendance for past days.

Written with bulk inserts (a large town has hundreds of thousands of bookings). Capacity is
respected: a day already full puts a future booking on the waiting list.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from sqlalchemy import func, insert

from ..extensions import db
from ..models import Attendance, Booking, BookingState
from ..models.booking import SEAT_HOLDING_STATES
from .days import Period
from .families import Built
from .people import CANTEEN
from .town import Town

_CHUNK = 5000
_ATTENDANCE = (Attendance.present, Attendance.absent_excused, Attendance.absent_unexcused)
_ATTENDANCE_WEIGHTS = (92, 3, 5)


def _seats_taken(period: Period) -> Counter:
    rows = (db.session.query(Booking.service_id, Booking.school_id, Booking.day, func.count())
            .filter(Booking.day.between(period.start, period.end),
                    Booking.state.in_(SEAT_HOLDING_STATES))
            .group_by(Booking.service_id, Booking.school_id, Booking.day))
    return Counter({(s, sc, d): n for s, sc, d, n in rows})


class _Planner:
    """Turns plans into booking rows, keeping count of the seats taken per day."""

    def __init__(self, town: Town, period: Period, agent_id: int | None):
        self.town, self.period, self.agent_id = town, period, agent_id
        self.seats = _seats_taken(period)
        self._open: dict[tuple[int, int], list[dt.date]] = {}
        self.rows: list[dict] = []
        self.written = 0
        self.booked_at = dt.datetime.combine(period.start - dt.timedelta(days=10), dt.time(20))

    def open_days(self, school_id: int, service_id: int) -> list[dt.date]:
        key = (school_id, service_id)
        if key not in self._open:
            self._open[key] = self.town.calendar.open_days(self.period.start, self.period.end,
                                                           school_id, service_id)
        return self._open[key]

    def _row(self, item: Built, child, service_id: int, day: dt.date, state: str,
             rng: random.Random, unbooked: bool = False) -> dict:
        requested = self.booked_at + dt.timedelta(seconds=self.written + len(self.rows))
        row = {"family_id": item.family.id, "child_id": child.id, "service_id": service_id,
               "school_id": child.school_id, "day": day, "state": state,
               "requested_at": requested, "created_at": requested, "updated_at": requested,
               "unbooked": int(unbooked), "attendance": None, "attendance_recorded_by": None,
               "attendance_recorded_at": None}
        if day < self.period.today and state == BookingState.booked:
            mark = (Attendance.present if unbooked
                    else rng.choices(_ATTENDANCE, _ATTENDANCE_WEIGHTS)[0])
            row.update(attendance=mark, attendance_recorded_by=self.agent_id,
                       attendance_recorded_at=dt.datetime.combine(day, dt.time(17, 30)))
        return row

    def plan(self, item: Built) -> None:
        rng = random.Random(f"portail-demo-bookings-{item.spec.index}")
        for key, plan in item.spec.plans.items():
            child = item.children[key]
            for code, weekdays in plan.items():
                service = self.town.services[code]
                capacity = self.town.capacities[(service.id, child.school_id)]
                for day in self.open_days(child.school_id, service.id):
                    if day.weekday() not in weekdays:
                        continue
                    seat = (service.id, child.school_id, day)
                    if self.seats[seat] >= capacity:
                        if day >= self.period.today:
                            self.rows.append(self._row(item, child, service.id, day,
                                                       BookingState.waiting, rng))
                        continue
                    self.seats[seat] += 1
                    self.rows.append(self._row(item, child, service.id, day,
                                               BookingState.booked, rng))
            if not item.spec.featured:
                self._unbooked_meal(item, child, plan, rng)

    def _unbooked_meal(self, item: Built, child, plan: dict, rng: random.Random) -> None:
        """Now and then a child eats at the canteen on a day nobody booked (billed higher)."""
        booked_days = plan.get(CANTEEN, ())
        if rng.random() > 0.15:
            return
        service = self.town.services[CANTEEN]
        days = [d for d in self.open_days(child.school_id, service.id)
                if d < self.period.today and d.weekday() not in booked_days]
        if days:
            self.rows.append(self._row(item, child, service.id, rng.choice(days),
                                       BookingState.booked, rng, unbooked=True))


    def write(self, at_least: int = 1) -> None:
        """Insert the planned rows once there are `at_least` of them (a full school year of
        a city is millions of rows: they never all sit in memory)."""
        if len(self.rows) >= at_least:
            db.session.execute(insert(Booking.__table__), self.rows)
            self.written += len(self.rows)
            self.rows = []


def create_bookings(built: list[Built], town: Town, period: Period,
                    agent_id: int | None) -> int:
    planner = _Planner(town, period, agent_id)
    for item in built:
        planner.plan(item)
        planner.write(at_least=_CHUNK)
    planner.write()
    return planner.written
