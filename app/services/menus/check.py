"""The allergen cross-check: on a day, a child booked at the canteen whose served dishes
(their diet's alternatives) of the published menu contain an allergen declared for them.

A « panier repas » PAI brings their own meal: never an alert, counted apart. A constant
number of queries for any number of days, schools and children.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import SEAT_HOLDING_STATES, Booking, Child, Service, ServiceKind
from .catalog import allergen_words
from .week import child_allergens, dishes_for_diet, kitchens_by_school, load_menus


@dataclass
class Conflict:
    child: Child
    family_id: int
    school_id: int
    day: dt.date
    dishes: list[tuple[str, list[str]]]  # (dish name, allergen codes it shares with the child)

    @property
    def allergens(self) -> list[str]:
        codes: list[str] = []
        for _name, found in self.dishes:
            codes += [c for c in found if c not in codes]
        return codes

    def describe(self) -> str:
        """« Tarte aux cacahuètes (arachides) »."""
        return ", ".join(f"{name} ({allergen_words(codes)})" for name, codes in self.dishes)


def _booked(days: list[dt.date], school_ids: list[int]):
    """(booking, child) of every canteen seat held on these days at these schools."""
    return db.session.execute(
        select(Booking, Child)
        .join(Child, Child.id == Booking.child_id)
        .join(Service, Service.id == Booking.service_id)
        .where(Service.kind == ServiceKind.canteen, Booking.day.in_(days),
               Booking.school_id.in_(school_ids), Booking.state.in_(SEAT_HOLDING_STATES))
        .order_by(Booking.day, Child.last_name, Child.first_name)
    ).all()


def allergen_conflicts(days: Iterable[dt.date], today: dt.date,
                       school_ids: Iterable[int] | None = None) -> list[Conflict]:
    """Every booked child × day whose published menu holds one of their allergens."""
    days = list(days)
    kitchens = kitchens_by_school(school_ids)
    if not days or not kitchens:
        return []
    menus = load_menus({k.id for k in kitchens.values()}, days, published_on=today)
    if not menus:
        return []
    rows = _booked(days, list(kitchens))
    allergens = child_allergens({child.id for _b, child in rows})
    found = []
    for booking, child in rows:
        declared = allergens.get(child.id)
        menu = menus.get((kitchens[booking.school_id].id, booking.day))
        if not declared or menu is None:
            continue
        hits = [(dish.name, [c for c in dish.allergen_codes if c in declared])
                for dish in dishes_for_diet(menu, child.diet)]
        hits = [(name, codes) for name, codes in hits if codes]
        if hits:
            found.append(Conflict(child, booking.family_id, booking.school_id, booking.day,
                                  hits))
    return found


def conflicts_by_child(day: dt.date, school_id: int, today: dt.date) -> dict[int, Conflict]:
    """The attendance sheet's view: {child id: conflict} for one school and day."""
    return {c.child.id: c for c in allergen_conflicts([day], today, [school_id])}
