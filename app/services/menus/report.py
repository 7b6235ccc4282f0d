"""Ordered vs served: per kitchen and day, the meals ordered from the caterer (the last
order or correction sent) against the children marked present at the canteen (pointage),
for the managers' report. A constant number of queries for any period."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Attendance, Booking, Diet, Kitchen, MealOrder, Service, ServiceKind
from .orders import ADULTS

MAX_DAYS = 190


@dataclass
class OrderedServed:
    day: dt.date
    ordered: int  # children's meals cooked (no panier repas, no adults)
    corrections: int
    served: int | None  # None: attendance not recorded that day

    @property
    def gap(self) -> int | None:
        return None if self.served is None else self.ordered - self.served


def ordered_vs_served(kitchen: Kitchen, start: dt.date, end: dt.date) -> list[OrderedServed]:
    end = min(end, start + dt.timedelta(days=MAX_DAYS))
    latest: dict[dt.date, MealOrder] = {}
    for order in db.session.query(MealOrder).filter(
            MealOrder.kitchen_id == kitchen.id, MealOrder.day >= start, MealOrder.day <= end
    ).order_by(MealOrder.day, MealOrder.sequence):
        latest[order.day] = order
    school_ids = [s.id for s in kitchen.schools]
    served: dict[dt.date, tuple[int, int]] = {}
    if latest and school_ids:
        rows = db.session.execute(
            select(Booking.day,
                   func.sum(case((Booking.attendance == Attendance.present, 1), else_=0)),
                   func.count(Booking.attendance))
            .join(Service, Service.id == Booking.service_id)
            .where(Service.kind == ServiceKind.canteen, Booking.school_id.in_(school_ids),
                   Booking.day.in_(list(latest)))
            .group_by(Booking.day)
        ).all()
        served = {day: (int(present or 0), recorded) for day, present, recorded in rows}
    report = []
    for day, order in sorted(latest.items()):
        counts = json.loads(order.counts)
        ordered = sum(n for k, n in counts.items() if k not in (ADULTS, Diet.pai_basket))
        present, recorded = served.get(day, (0, 0))
        report.append(OrderedServed(day, ordered, order.sequence, present if recorded else None))
    return report
