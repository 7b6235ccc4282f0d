"""Changes over a date range in one action: a standard week (e.g. Monday, Tuesday,
Thursday, Friday) applied from one date to another, or a whole week booked or cancelled.

Closed and past days are skipped; each other day follows the same rules as a click on its
cell (deadline → request, full → waiting list). One transaction for the whole range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..command import BaseCommand
from ..deadlines import local_now
from ..errors import CommandError
from .day import DayChanger, Outcome, in_locked_transaction
from .lookup import Target, load_target, parse_day

MAX_RANGE_DAYS = 366


@dataclass
class RangeResult:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: dict[dt.date, str] = field(default_factory=dict)

    @property
    def changed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.changed]

    def summary(self) -> str:
        requests = sum(1 for o in self.changed if o.request_id)
        return _(
            "%(changed)s jour(s) modifié(s), dont %(requests)s demande(s) à valider par le "
            "service ; %(skipped)s jour(s) non modifiable(s).",
            changed=len(self.changed),
            requests=requests,
            skipped=len(self.skipped),
        )


class ChangeRange(BaseCommand):
    """Book (or cancel) the given weekdays (0=Monday) of [start, end] for one child and
    service; with `cancel_others`, booked days of the other weekdays are cancelled."""

    def __init__(
        self,
        family_id: int,
        child_id,
        service_id,
        start,
        end,
        weekdays,
        action: str = "book",
        cancel_others: bool = False,
        now: dt.datetime | None = None,
        actor_user_id: int | None = None,
    ):
        self.family_id, self.child_id, self.service_id = family_id, child_id, service_id
        self.raw_start, self.raw_end, self.raw_weekdays = start, end, weekdays
        self.action, self.cancel_others = action, cancel_others
        self.now, self.actor = now or local_now(), actor_user_id
        self.start = self.end = None
        self.weekdays: set[int] = set()
        self.target: Target | None = None

    def validate(self) -> None:
        errors: list[str] = []
        if self.action not in ("book", "cancel"):
            errors.append(_("Action inconnue."))
        self.start, self.end = parse_day(self.raw_start), parse_day(self.raw_end)
        if self.start is None or self.end is None:
            errors.append(_("Dates invalides : utilisez le format AAAA-MM-JJ."))
        elif self.end < self.start:
            errors.append(_("La date de fin précède la date de début."))
        elif (self.end - self.start).days > MAX_RANGE_DAYS:
            errors.append(_("La période ne peut dépasser une année scolaire."))
        try:
            self.weekdays = {int(w) for w in self.raw_weekdays}
        except (TypeError, ValueError):
            self.weekdays = set()
        if not self.weekdays or not self.weekdays <= set(range(7)):
            errors.append(_("Choisissez au moins un jour de la semaine."))
        if not errors:
            self.target = load_target(
                self.family_id, self.child_id, self.service_id, self.start, errors
            )
        if errors:
            raise CommandError(errors)

    def run(self) -> RangeResult:
        self.validate()
        return in_locked_transaction(self.target, self.now, self.actor, self._change_all)

    def _change_all(self, changer: DayChanger) -> RangeResult:
        result = RangeResult()
        day = self.start
        while day <= self.end:
            self._change(changer, day, result)
            day += dt.timedelta(days=1)
        return result

    def _change(self, changer: DayChanger, day: dt.date, result: RangeResult) -> None:
        if day.weekday() in self.weekdays:
            action = self.action
        elif self.cancel_others and self.action == "book":
            action = "cancel"
        else:
            return
        if changer.closed_reason(day) is not None:
            return  # closed days are not part of a standard week
        try:
            result.outcomes.append(changer.apply(action, day))
        except CommandError as refused:
            result.skipped[day] = refused.messages[0]
