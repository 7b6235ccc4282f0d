"""The caterer's order (issue 14, "done when"): frozen at the booking deadline, its counts
equal the bookings by diet; the mail reaches a real SMTP server (aiosmtpd) with its PDF and
CSV; a later change goes in a short correction mail; nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import io
import json

from pypdf import PdfReader

from app.extensions import db
from app.models import Booking, BookingState, Diet, MealOrder
from app.services.menus.orders import SendMealOrders, count_meals
from tests import factories as f

from .builders import NOW, THURSDAY, town

DEADLINE = NOW.replace(hour=10)  # Thursday's booking deadline: 2 working days before, 10:00


def _town_with_bookings():
    t = town(children=5)
    kids = t.family.children
    for kid, diet in zip(kids, (Diet.standard, Diet.no_pork, Diet.vegetarian, Diet.pai_basket,
                                Diet.standard), strict=True):
        kid.diet = diet
    t.kitchen.adult_meals = 2
    db.session.commit()
    for kid in kids[:4]:
        f.booking(t.family, kid, t.canteen, THURSDAY)
    f.booking(t.family, kids[4], t.canteen, THURSDAY, BookingState.pending)  # not a meal yet
    return t, kids


def _thursday_orders() -> list[MealOrder]:
    return db.session.query(MealOrder).filter_by(day=THURSDAY).order_by(MealOrder.sequence).all()


def test_the_order_is_frozen_at_the_deadline_with_the_bookings_by_diet(app_ctx, smtp_server):
    t, kids = _town_with_bookings()
    SendMealOrders(DEADLINE - dt.timedelta(minutes=1)).run()
    assert _thursday_orders() == []  # before the deadline, nothing leaves
    SendMealOrders(DEADLINE).run()
    [order] = _thursday_orders()
    assert json.loads(order.counts) == {"standard": 1, "no_pork": 1, "vegetarian": 1,
                                        "no_meat": 0, "pai_basket": 1, "adults": 2}
    assert json.loads(order.counts) == count_meals(t.kitchen, THURSDAY).totals

    mails = [m for m in smtp_server.messages if "03/12/2026" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["To"] == "commandes@traiteur.example.org"
    body = mails[0].get_body(("plain",)).get_content()
    assert "Total à préparer : 5 repas." in body  # 3 children + 2 adults; the basket apart
    files = {part.get_filename(): part.get_content() for part in mails[0].iter_attachments()}
    assert set(files) == {f"commande-2026-12-03-{t.kitchen.id}.pdf",
                          f"commande-2026-12-03-{t.kitchen.id}.csv"}
    pdf = files[f"commande-2026-12-03-{t.kitchen.id}.pdf"]
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Commande de repas" in text and "Repas du 03/12/2026" in text
    csv_text = files[f"commande-2026-12-03-{t.kitchen.id}.csv"]
    csv_text = csv_text.decode("utf-8-sig") if isinstance(csv_text, bytes) else csv_text
    assert "03/12/2026;Cuisine centrale;École Théodore Chalmel;Sans porc;1;commande" in csv_text

    SendMealOrders(DEADLINE + dt.timedelta(minutes=15)).run()
    assert len(_thursday_orders()) == 1  # nothing changed: no second mail


def test_a_late_booking_validated_goes_in_a_short_correction(app_ctx, smtp_server):
    t, kids = _town_with_bookings()
    SendMealOrders(DEADLINE).run()
    booking = db.session.query(Booking).filter_by(child_id=kids[4].id).one()
    booking.state = BookingState.booked  # staff validated the late request
    db.session.commit()
    SendMealOrders(DEADLINE + dt.timedelta(hours=2)).run()
    orders = _thursday_orders()
    assert [o.sequence for o in orders] == [0, 1]
    assert json.loads(orders[1].counts)["standard"] == 2
    correction = [m for m in smtp_server.messages if m["Subject"].startswith("Correction")]
    assert len(correction) == 1
    body = correction[0].get_body(("plain",)).get_content()
    assert "Standard : 2 (au lieu de 1)" in body
    assert {p.get_filename() for p in correction[0].iter_attachments()} == {
        f"commande-2026-12-03-{t.kitchen.id}-correction-1.pdf",
        f"commande-2026-12-03-{t.kitchen.id}-correction-1.csv"}


def test_celery_beat_runs_the_orders_and_the_alerts(app_ctx, app, smtp_server, monkeypatch):
    from app.services.menus import tasks
    from app.tasks import celery

    schedule = {entry["task"] for entry in celery.conf.beat_schedule.values()}
    assert {"portal.menus.orders", "portal.menus.alerts"} <= schedule
    _town_with_bookings()
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", DEADLINE.isoformat())
    assert tasks.send_meal_orders.delay().get() >= 1  # in-process without REDIS_URL
    assert [o.sequence for o in _thursday_orders()] == [0]
    assert tasks.send_allergen_alerts.delay().get() == 0
