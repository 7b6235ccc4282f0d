"""EGalim information: over a period, the share of dishes carrying each label and the
number of vegetarian meals, per kitchen (parents' menu page, managers' table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ...models import DishLabel, DishVariant, Kitchen
from ..money import round_half_up
from .week import menus_between


@dataclass
class EgalimRow:
    kitchen: Kitchen
    menus: int = 0
    dishes: int = 0
    vegetarian_meals: int = 0
    labelled: dict[str, int] = field(default_factory=dict)  # label → dishes
    any_label: int = 0

    def share(self, code: str | None = None) -> Decimal:
        """Percentage (one decimal) of the dishes with this label (any label: None)."""
        count = self.any_label if code is None else self.labelled.get(code, 0)
        if not self.dishes:
            return Decimal("0.0")
        return round_half_up(Decimal(100 * count) / self.dishes, Decimal("0.1"))


def egalim_table(kitchens: Iterable[Kitchen], start: dt.date, end: dt.date,
                 published_on: dt.date | None = None) -> list[EgalimRow]:
    """One row per kitchen; the dishes counted are the standard ones (what most eat)."""
    kitchens = list(kitchens)
    rows = {k.id: EgalimRow(k, labelled={lab.value: 0 for lab in DishLabel}) for k in kitchens}
    if not kitchens:
        return []
    for menu in menus_between(rows, start, end, published_on):
        row = rows[menu.kitchen_id]
        row.menus += 1
        row.vegetarian_meals += 1 if menu.vegetarian else 0
        for dish in menu.dishes:
            if dish.variant != DishVariant.standard:
                continue
            row.dishes += 1
            codes = dish.label_codes
            row.any_label += 1 if codes else 0
            for code in codes:
                row.labelled[code] = row.labelled.get(code, 0) + 1
    return list(rows.values())
