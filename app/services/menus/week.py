"""Reading menus: the kitchen of each school, the menus of some days (dishes loaded), the
dishes a child eats given their diet, and the family's week with each child's allergens
marked in words. A constant number of queries whatever the number of days or children."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import (
    Child,
    ChildAllergen,
    Course,
    Diet,
    Dish,
    DishVariant,
    Kitchen,
    Menu,
    kitchen_school,
)
from .catalog import COURSE_ORDER, allergen_words, label_words

#: Which alternative a diet takes when the menu offers one (else the standard dish).
DIET_VARIANT = {
    Diet.no_pork: DishVariant.no_pork,
    Diet.vegetarian: DishVariant.vegetarian,
    Diet.no_meat: DishVariant.vegetarian,
}


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_days(monday: dt.date, count: int = 5) -> list[dt.date]:
    return [monday + dt.timedelta(days=n) for n in range(count)]


def kitchens_by_school(school_ids: Iterable[int] | None = None) -> dict[int, Kitchen]:
    """{school id: its kitchen} (one query)."""
    query = (
        db.session.query(kitchen_school.c.school_id, Kitchen)
        .join(Kitchen, Kitchen.id == kitchen_school.c.kitchen_id)
        .filter(Kitchen.active.is_(True))
    )
    if school_ids is not None:
        query = query.filter(kitchen_school.c.school_id.in_(list(school_ids)))
    return {school_id: kitchen for school_id, kitchen in query}


def is_published(menu: Menu, today: dt.date) -> bool:
    return menu.publish_on is not None and menu.publish_on <= today


def load_menus(kitchen_ids: Iterable[int], days: Iterable[dt.date],
               published_on: dt.date | None = None) -> dict[tuple[int, dt.date], Menu]:
    """{(kitchen id, day): menu with its dishes}; only the menus parents may see on
    `published_on` when it is given. One query (a month's menus hold a few hundred dishes:
    joined, not fetched by a second statement)."""
    kitchen_ids, days = list(kitchen_ids), list(days)
    if not kitchen_ids or not days:
        return {}
    query = (
        db.session.query(Menu)
        .options(joinedload(Menu.dishes))
        .filter(Menu.kitchen_id.in_(kitchen_ids), Menu.day.in_(days))
    )
    if published_on is not None:
        query = query.filter(Menu.publish_on.isnot(None), Menu.publish_on <= published_on)
    return {(menu.kitchen_id, menu.day): menu for menu in query}


def menus_between(kitchen_ids: Iterable[int], start: dt.date, end: dt.date,
                  published_on: dt.date | None = None) -> list[Menu]:
    query = (
        db.session.query(Menu)
        .options(selectinload(Menu.dishes))
        .filter(Menu.kitchen_id.in_(list(kitchen_ids)), Menu.day >= start, Menu.day <= end)
    )
    if published_on is not None:
        query = query.filter(Menu.publish_on.isnot(None), Menu.publish_on <= published_on)
    return query.order_by(Menu.kitchen_id, Menu.day).all()


def dishes_for_diet(menu: Menu, diet: str) -> list[Dish]:
    """The dishes a child with this diet is served: per course, the diet's alternative when
    the menu has one, else the standard dish. A « panier repas » PAI eats none."""
    if diet == Diet.pai_basket:
        return []
    variant = DIET_VARIANT.get(diet)
    by_course: dict[str, list[Dish]] = defaultdict(list)
    for dish in menu.dishes:
        by_course[dish.course].append(dish)
    served = []
    for dishes in by_course.values():
        alternative = [d for d in dishes if variant and d.variant == variant]
        served += alternative or [d for d in dishes if d.variant == DishVariant.standard]
    return served


def child_allergens(child_ids: Iterable[int]) -> dict[int, set[str]]:
    """{child id: allergen codes declared} (one query)."""
    found: dict[int, set[str]] = defaultdict(set)
    ids = list(child_ids)
    if ids:
        rows = db.session.execute(
            select(ChildAllergen.child_id, ChildAllergen.allergen)
            .where(ChildAllergen.child_id.in_(ids))
        )
        for child_id, code in rows:
            found[child_id].add(code)
    return found


# --- the family's week --------------------------------------------------------------------


@dataclass
class DishView:
    dish: Dish
    allergens: str
    labels: str
    variant: str | None  # label of the alternative, None for the standard dish
    eaters: list[str] = field(default_factory=list)  # children served this alternative
    warnings: list[str] = field(default_factory=list)  # « Hugo : arachides »


@dataclass
class DayView:
    day: dt.date
    menu: Menu | None
    courses: list[tuple[str, list[DishView]]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [w for _course, dishes in self.courses for d in dishes for w in d.warnings]


@dataclass
class KitchenWeek:
    kitchen: Kitchen
    children: list[Child]
    days: list[DayView]
    diets: dict[int, str]  # child id → diet label when not standard


def _day_view(day: dt.date, menu: Menu | None, children: list[Child],
              allergens: dict[int, set[str]]) -> DayView:
    view = DayView(day, menu)
    if menu is None:
        return view
    served = {child.id: {d.id for d in dishes_for_diet(menu, child.diet)} for child in children}
    by_course: dict[str, list[DishView]] = defaultdict(list)
    for dish in sorted(menu.dishes, key=lambda d: (d.variant != DishVariant.standard,
                                                   d.position)):
        item = DishView(dish, allergen_words(dish.allergen_codes), label_words(dish.label_codes),
                        None if dish.variant == DishVariant.standard
                        else DishVariant(dish.variant).label)
        for child in children:
            if dish.id not in served[child.id]:
                continue
            if item.variant:
                item.eaters.append(child.first_name)
            hits = [c for c in dish.allergen_codes if c in allergens.get(child.id, ())]
            if hits:
                item.warnings.append(f"{child.first_name} : {allergen_words(hits)}")
        by_course[dish.course].append(item)
    view.courses = [(Course(c).label, by_course[c]) for c in COURSE_ORDER if by_course.get(c)]
    return view


def family_week(children: list[Child], monday: dt.date, today: dt.date) -> list[KitchenWeek]:
    """The published menus of the week for the kitchens of these children's schools, with
    each dish a child eats marked with that child's declared allergens, in words."""
    return family_days(children, week_days(monday), today)


def family_days(children: list[Child], days: list[dt.date], today: dt.date,
                only_menus: bool = False) -> list[KitchenWeek]:
    """`family_week` for any days (the planning's month: `only_menus` keeps the days that
    have a published menu). Three queries."""
    kitchens = kitchens_by_school({child.school_id for child in children})
    grouped: dict[int, list[Child]] = defaultdict(list)
    for child in children:
        if child.school_id in kitchens:
            grouped[kitchens[child.school_id].id].append(child)
    menus = load_menus(grouped, days, published_on=today)
    # Allergens only mark dishes: no menu, no query (the planning of a town without menus).
    allergens = child_allergens(child.id for child in children) if menus else {}
    weeks = []
    by_id = {k.id: k for k in kitchens.values()}
    for kitchen_id, kids in grouped.items():
        weeks.append(KitchenWeek(
            by_id[kitchen_id], kids,
            [_day_view(day, menus.get((kitchen_id, day)), kids, allergens) for day in days
             if not only_menus or (kitchen_id, day) in menus],
            {c.id: Diet(c.diet).label for c in kids if c.diet != Diet.standard},
        ))
    return sorted((w for w in weeks if w.days), key=lambda w: w.kitchen.name)
