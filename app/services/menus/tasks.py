"""Celery beat jobs of the menus: the caterer's orders (frozen at the booking deadline,
corrections after) and the families' allergen alerts ahead of time."""

from __future__ import annotations

from ...celery_app import celery

ORDERS_EVERY = 900.0  # seconds: an order leaves at most 15 minutes after the deadline
ALERTS_EVERY = 3600.0


@celery.task(name="portal.menus.orders")
def send_meal_orders() -> int:
    from ..calendar import local_now
    from .orders import SendMealOrders

    return len(SendMealOrders(local_now()).run())


@celery.task(name="portal.menus.alerts")
def send_allergen_alerts() -> int:
    from ..calendar import local_now
    from .alerts import SendAllergenAlerts

    return SendAllergenAlerts(local_now()).run()


celery.conf.beat_schedule = {
    **(celery.conf.beat_schedule or {}),
    "portal-menus-orders": {"task": "portal.menus.orders", "schedule": ORDERS_EVERY},
    "portal-menus-alerts": {"task": "portal.menus.alerts", "schedule": ALERTS_EVERY},
}
