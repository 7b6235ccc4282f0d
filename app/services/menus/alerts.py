"""The family's allergen alert, ahead of time: for each kitchen, `alert_days` days before,
every child booked whose served dishes of the published menu hold an allergen declared for
them gets one alert (« Alertes » rubrique, and mail), at most once per child and day."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from ...extensions import db
from ...models import MenuAlert
from ..alerts import alert_family
from ..command import BaseCommand
from ..errors import transaction
from .catalog import allergen_words, join
from .check import Conflict, allergen_conflicts
from .week import kitchens_by_school

MAX_ALERT_DAYS = 14


def _title(conflict: Conflict) -> str:
    return _("Allergène au menu du %(day)s pour %(child)s", day=conflict.day.strftime(
        "%d/%m/%Y"), child=conflict.child.first_name)


def _message(conflict: Conflict) -> str:
    return _("Le menu du %(day)s contient %(allergens)s, allergène déclaré pour %(child)s : "
             "%(dishes)s. Le service de restauration en est informé ; contactez-le si un "
             "panier repas ou une autre solution est nécessaire.",
             day=conflict.day.strftime("%d/%m/%Y"), allergens=allergen_words(
                 conflict.allergens), child=conflict.child.first_name,
             dishes=conflict.describe())


class SendAllergenAlerts(BaseCommand):
    """Run by Celery beat (portal.menus.alerts); safe to run any number of times."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def validate(self) -> None:
        """Nothing to check: a periodic job with no user input."""

    def due(self) -> list[Conflict]:
        today = self.now.date()
        kitchens = kitchens_by_school()
        if not kitchens:
            return []
        ahead = {sid: min(max(k.alert_days or 0, 0), MAX_ALERT_DAYS)
                 for sid, k in kitchens.items()}
        days = [today + dt.timedelta(days=n) for n in range(max(ahead.values()) + 1)]
        conflicts = [c for c in allergen_conflicts(days, today)
                     if c.day <= today + dt.timedelta(days=ahead[c.school_id])]
        if not conflicts:
            return []
        sent = set(db.session.execute(
            select(MenuAlert.child_id, MenuAlert.day).where(
                tuple_(MenuAlert.child_id, MenuAlert.day).in_(
                    [(c.child.id, c.day) for c in conflicts]))
        ).all())
        return [c for c in conflicts if (c.child.id, c.day) not in sent]

    def apply(self) -> int:
        """The writes, in the caller's transaction (the demo); `run()` commits them."""
        due = self.due()
        for conflict in due:
            db.session.add(MenuAlert(child_id=conflict.child.id, day=conflict.day,
                                     allergens=join(conflict.allergens)))
            alert_family(conflict.family_id, _title(conflict), _message(conflict))
        return len(due)

    def run(self) -> int:
        self.validate()
        with transaction():
            return self.apply()


__all__ = ["SendAllergenAlerts"]
