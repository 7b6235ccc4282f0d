"""The caterer's order (commande de repas): per kitchen and day, the meals by diet (standard,
sans porc, végétarien, sans viande, panier repas PAI counted apart) and the adults' meals,
frozen at the canteen's booking deadline and sent as PDF + CSV through the mail outbox;
later changes (late bookings validated, absences declared) go in a short correction mail.
Run by Celery beat (portal.menus.orders); idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    SEAT_HOLDING_STATES,
    Booking,
    Child,
    Diet,
    Kitchen,
    MailAttachment,
    MealOrder,
    SchoolYear,
    Service,
    ServiceCapacity,
    ServiceKind,
)
from ..attendance import render_pdf
from ..calendar import OpeningCalendar
from ..command import BaseCommand
from ..deadlines import booking_deadline
from ..errors import transaction
from ..mail import queue_mail

LOOKAHEAD_DAYS = 14
ADULTS = "adults"
#: The lines of an order, in print order.
ORDER_LINES: list[tuple[str, object]] = [
    (Diet.standard, _l("Standard")),
    (Diet.no_pork, _l("Sans porc")),
    (Diet.vegetarian, _l("Végétarien")),
    (Diet.no_meat, _l("Sans viande")),
    (Diet.pai_basket, _l("Panier repas PAI (fourni par la famille, compté à part)")),
    (ADULTS, _l("Adultes")),
]


@dataclass
class DayCount:
    """Meals of a kitchen on a day: totals by diet, and per school (for the CSV)."""

    totals: dict[str, int]
    by_school: dict[str, dict[str, int]]

    @property
    def meals(self) -> int:
        """Meals the caterer cooks: the panier repas is brought by the family."""
        return sum(n for key, n in self.totals.items() if key != Diet.pai_basket)


def count_meals(kitchen: Kitchen, day: dt.date) -> DayCount:
    """Canteen bookings holding a seat at the kitchen's schools, by diet (one query)."""
    school_ids = [s.id for s in kitchen.schools]
    totals = {key: 0 for key, _label in ORDER_LINES}
    by_school: dict[str, dict[str, int]] = defaultdict(lambda: {k: 0 for k, _l_ in ORDER_LINES})
    names = {s.id: s.name for s in kitchen.schools}
    if school_ids:
        rows = db.session.execute(
            select(Booking.school_id, Child.diet, func.count(Booking.id))
            .join(Child, Child.id == Booking.child_id)
            .join(Service, Service.id == Booking.service_id)
            .where(Service.kind == ServiceKind.canteen, Booking.day == day,
                   Booking.school_id.in_(school_ids), Booking.state.in_(SEAT_HOLDING_STATES))
            .group_by(Booking.school_id, Child.diet)
        ).all()
        for school_id, diet, meals in rows:
            key = diet if diet in totals else Diet.standard
            totals[key] += meals
            by_school[names[school_id]][key] += meals
    totals[ADULTS] = kitchen.adult_meals or 0
    return DayCount(totals, dict(by_school))


def canteen_service(kitchen: Kitchen) -> Service | None:
    """The canteen service of the kitchen's schools (its booking deadline freezes orders)."""
    return (
        db.session.query(Service)
        .join(ServiceCapacity, ServiceCapacity.service_id == Service.id)
        .filter(ServiceCapacity.school_id.in_([s.id for s in kitchen.schools]),
                Service.kind == ServiceKind.canteen, Service.active.is_(True))
        .order_by(Service.id).first()
    )


def order_csv(kitchen: Kitchen, day: dt.date, count: DayCount, sequence: int) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["jour", "cuisine", "ecole", "regime", "repas", "commande"])
    kind = "commande" if sequence == 0 else f"correction {sequence}"
    for school, counts in sorted(count.by_school.items()):
        for key, label in ORDER_LINES:
            if key != ADULTS:
                writer.writerow([day.strftime("%d/%m/%Y"), kitchen.name, school, str(label),
                                 counts.get(key, 0), kind])
    writer.writerow([day.strftime("%d/%m/%Y"), kitchen.name, "", str(dict(ORDER_LINES)[ADULTS]),
                     count.totals[ADULTS], kind])
    return buffer.getvalue().encode("utf-8")


def _lines(totals: dict[str, int], before: dict[str, int] | None = None) -> list[dict]:
    return [{"label": str(label), "meals": totals.get(key, 0),
             "before": None if before is None else before.get(key, 0)}
            for key, label in ORDER_LINES]


def _send(kitchen: Kitchen, day: dt.date, count: DayCount, sequence: int,
          before: dict[str, int] | None, now: dt.datetime) -> MealOrder:
    order = MealOrder(kitchen_id=kitchen.id, day=day, sequence=sequence,
                      counts=json.dumps(count.totals, sort_keys=True),
                      frozen_at=now.replace(tzinfo=None))
    db.session.add(order)
    day_text = day.strftime("%d/%m/%Y")
    subject = (_("Commande de repas du %(day)s — %(kitchen)s", day=day_text, kitchen=kitchen.name)
               if sequence == 0 else
               _("Correction de la commande du %(day)s — %(kitchen)s", day=day_text,
                 kitchen=kitchen.name))
    lines = _lines(count.totals, before)
    context = {"kitchen": kitchen, "day": day, "lines": lines, "meals": count.meals,
               "sequence": sequence, "schools": sorted(count.by_school.items()),
               "order_lines": ORDER_LINES}
    mail = queue_mail(kitchen.caterer_email, subject, "meal_order", kind="meal_order",
                      **context)
    if mail is not None:
        db.session.flush()
        order.mail_id = mail.id
        stem = f"commande-{day.isoformat()}-{kitchen.id}" + (f"-correction-{sequence}"
                                                             if sequence else "")
        pdf = render_pdf("pdf/meal_order.html", printed=now.date(), **context)
        db.session.add(MailAttachment(mail_id=mail.id, filename=f"{stem}.pdf",
                                      mimetype="application/pdf", content=pdf))
        db.session.add(MailAttachment(mail_id=mail.id, filename=f"{stem}.csv",
                                      mimetype="text/csv; charset=utf-8", content=order_csv(
                                          kitchen, day, count, sequence)))
    return order


def _open_days(kitchen: Kitchen, service: Service, start: dt.date) -> list[dt.date]:
    years = db.session.query(SchoolYear).filter(SchoolYear.end_date >= start,
                                                SchoolYear.start_date <= start + dt.timedelta(
                                                    days=LOOKAHEAD_DAYS)).all()
    days = []
    for year in years:
        calendar = OpeningCalendar.for_school_year(year)
        for n in range(LOOKAHEAD_DAYS + 1):
            day = start + dt.timedelta(days=n)
            if any(calendar.is_open(day, s.id, service.id) for s in kitchen.schools):
                days.append(day)
    return sorted(set(days))


def latest_orders(kitchen_id: int, days: list[dt.date]) -> dict[dt.date, MealOrder]:
    latest: dict[dt.date, MealOrder] = {}
    for order in db.session.query(MealOrder).filter(
            MealOrder.kitchen_id == kitchen_id, MealOrder.day.in_(days)).order_by(
            MealOrder.sequence):
        latest[order.day] = order
    return latest


class SendMealOrders(BaseCommand):
    """Freeze and send every order whose booking deadline has passed; send a correction
    when the meals changed since the last mail (until the day itself)."""

    def __init__(self, now: dt.datetime):
        self.now = now.replace(tzinfo=None)

    def validate(self) -> None:
        """Nothing to check: a periodic job with no user input."""

    def run(self) -> list[MealOrder]:
        self.validate()
        sent: list[MealOrder] = []
        with transaction():
            kitchens = db.session.query(Kitchen).filter(
                Kitchen.active.is_(True), Kitchen.caterer_email.isnot(None)).all()
            for kitchen in kitchens:
                sent += self._kitchen(kitchen)
        return sent

    def _kitchen(self, kitchen: Kitchen) -> list[MealOrder]:
        service = canteen_service(kitchen)
        if service is None or not kitchen.caterer_email:
            return []
        days = _open_days(kitchen, service, self.now.date())
        latest = latest_orders(kitchen.id, days)
        sent = []
        for day in days:
            previous = latest.get(day)
            if previous is None and booking_deadline(service, day) > self.now:
                continue
            count = count_meals(kitchen, day)
            if previous is None:
                sent.append(_send(kitchen, day, count, 0, None, self.now))
                continue
            before = json.loads(previous.counts)
            if before != count.totals:
                sent.append(_send(kitchen, day, count, previous.sequence + 1, before, self.now))
        return sent
