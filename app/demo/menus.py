"""Demo menus (issue 14): one kitchen per school, with its caterer; a 5-week cycle of menus
(allergens, EGalim labels, the weekly vegetarian meal, sans porc and végétarien
alternatives) from three weeks back to four weeks ahead, published up to next week; Hugo
Martin's peanut PAI declared, and a peanut dessert on a coming day he is booked for (his
family's alert is sent); the caterers' orders of the past three weeks.
Idempotent: nothing is added when the kitchens exist."""

from __future__ import annotations

import datetime as dt
import json

from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATES,
    Booking,
    Child,
    ChildAllergen,
    Dish,
    DishVariant,
    Kitchen,
    MealOrder,
    Menu,
)
from ..services.menus.alerts import SendAllergenAlerts
from ..services.menus.orders import count_meals
from ..services.menus.week import week_monday
from .days import Period
from .people import CANTEEN, CHALMEL, SAINTE_THERESE
from .town import Town

KITCHENS = {
    CHALMEL: ("Cuisine centrale de Saint-Père", "Restauration Armor",
              "commandes@restauration-armor.example.fr", 3),
    SAINTE_THERESE: ("Cuisine de l'école Sainte-Thérèse", "Les Saveurs du Clos",
                     "cuisine@saveurs-du-clos.example.fr", 2),
}
V, NP = DishVariant.vegetarian, DishVariant.no_pork
# (course, name, allergens, labels, variant); one list per weekday (Mon, Tue, Thu, Fri).
CYCLE: list[list[list[tuple]]] = [
    [
        [
            ("starter", "Carottes râpées vinaigrette", "mustard", "organic,local"),
            ("main", "Sauté de porc au cidre", "", "label_rouge"),
            ("main", "Poulet rôti", "", "local", NP),
            ("main", "Galette de sarrasin aux œufs", "eggs", "", V),
            ("side", "Haricots verts", "", "organic"),
            ("dairy", "Yaourt nature", "milk", "organic,local"),
            ("dessert", "Pomme", "", "local"),
        ],
        [
            ("starter", "Potage de légumes", "celery", "homemade"),
            ("main", "Lasagnes végétales", "gluten,milk", "homemade"),
            ("dairy", "Emmental", "milk", "aop_igp"),
            ("dessert", "Compote de poires", "", "organic"),
        ],
        [
            ("starter", "Salade de lentilles", "mustard", "organic"),
            ("main", "Dos de colin sauce citron", "fish,milk", "sustainable_fishing"),
            ("main", "Omelette aux fines herbes", "eggs", "", V),
            ("side", "Riz pilaf", "", "organic"),
            ("dessert", "Flan vanille", "milk,eggs", "homemade"),
        ],
        [
            ("starter", "Betteraves", "", "local"),
            ("main", "Bœuf bourguignon", "sulphites", "label_rouge"),
            ("main", "Chili sin carne", "", "", V),
            ("side", "Purée de pommes de terre", "milk", "local"),
            ("dessert", "Clémentines", "", ""),
        ],
    ],
    [
        [
            ("starter", "Taboulé", "gluten", "homemade"),
            ("main", "Saucisse de Toulouse", "sulphites", ""),
            ("main", "Filet de poulet", "", "label_rouge", NP),
            ("main", "Boulettes de soja", "soy", "", V),
            ("side", "Lentilles", "", "organic"),
            ("dessert", "Mousse au chocolat", "milk,eggs", "homemade"),
        ],
        [
            ("starter", "Céleri rémoulade", "celery,eggs,mustard", ""),
            ("main", "Curry de pois chiches", "", "organic"),
            ("side", "Semoule", "gluten", "organic"),
            ("dairy", "Fromage blanc", "milk", "local"),
            ("dessert", "Banane", "", "organic"),
        ],
        [
            ("starter", "Œuf mayonnaise", "eggs,mustard", ""),
            ("main", "Hachis parmentier", "milk", "homemade"),
            ("main", "Parmentier de lentilles", "milk", "homemade", V),
            ("dairy", "Camembert", "milk", "aop_igp"),
            ("dessert", "Poire", "", "local"),
        ],
        [
            ("starter", "Salade verte", "", "local"),
            ("main", "Filet de lieu meunière", "fish,gluten", "sustainable_fishing"),
            ("side", "Pommes vapeur", "", "local"),
            ("dessert", "Riz au lait", "milk", "homemade"),
        ],
    ],
]
# Weeks 3 to 5 of the cycle reuse the first two with other desserts (a real cycle varies more).
DESSERTS = ["Crêpe au sucre", "Kiwi", "Gâteau breton", "Yaourt aux fruits", "Far breton"]
PEANUT_DESSERT = ("dessert", "Cookie aux cacahuètes", "peanuts,gluten,milk,eggs", "homemade")
WEEKS_BACK, WEEKS_AHEAD = 3, 4


def _kitchens(town: Town) -> dict[str, Kitchen]:
    kitchens = {}
    for key, (name, caterer, email, adults) in KITCHENS.items():
        kitchen = Kitchen(name=name, caterer_name=caterer, caterer_email=email,
                          adult_meals=adults, alert_days=3, schools=[town.schools[key]])
        db.session.add(kitchen)
        kitchens[key] = kitchen
    return kitchens


def _day_dishes(week: int, weekday_index: int) -> list[tuple]:
    base = CYCLE[week % 2][weekday_index]
    if week < 2:
        return base
    dessert = DESSERTS[(week * 4 + weekday_index) % len(DESSERTS)]
    return [d if d[0] != "dessert" else ("dessert", dessert, "milk,gluten", "homemade")
            for d in base]


def _menu(kitchen: Kitchen, day: dt.date, dishes: list[tuple], publish_on: dt.date | None,
          vegetarian: bool) -> Menu:
    menu = Menu(kitchen=kitchen, day=day, publish_on=publish_on, vegetarian=vegetarian)
    for n, spec in enumerate(dishes):
        course, name, allergens, labels, variant = (list(spec) + [DishVariant.standard])[:5]
        menu.dishes.append(Dish(course=course, name=name, allergens=allergens, labels=labels,
                                variant=variant, position=n))
    db.session.add(menu)
    return menu


def _hugo_day(period: Period, town: Town) -> tuple[Child | None, dt.date | None]:
    """Hugo Martin (peanut PAI) and the first coming day he is booked at the canteen."""
    hugo = db.session.query(Child).filter_by(first_name="Hugo", last_name="Martin").first()
    if hugo is None:
        return None, None
    day = (
        db.session.query(Booking.day)
        .filter(Booking.child_id == hugo.id, Booking.service_id == town.services[CANTEEN].id,
                Booking.day > period.anchor, Booking.state.in_(SEAT_HOLDING_STATES))
        .order_by(Booking.day).limit(1).scalar()
    )
    return hugo, day


def add_menus(town: Town, period: Period) -> int:
    """The demo's kitchens and menus; returns the number of menus added."""
    if db.session.query(Kitchen).count():
        return 0
    kitchens = _kitchens(town)
    hugo, peanut_day = _hugo_day(period, town)
    if hugo is not None:
        db.session.add(ChildAllergen(child_id=hugo.id, allergen="peanuts"))
    this_monday = week_monday(period.anchor)
    added = 0
    for offset in range(-WEEKS_BACK, WEEKS_AHEAD + 1):
        monday = this_monday + dt.timedelta(weeks=offset)
        week = (offset + WEEKS_BACK) % 5
        published = monday - dt.timedelta(days=10) if offset <= 1 else None
        for key, kitchen in kitchens.items():
            school = town.schools[key]
            for index, weekday in enumerate((0, 1, 3, 4)):
                day = monday + dt.timedelta(days=weekday)
                if not town.calendar.is_open(day, school.id, town.services[CANTEEN].id):
                    continue
                dishes = _day_dishes(week, index)
                if key == CHALMEL and day == peanut_day:
                    dishes = [d for d in dishes if d[0] != "dessert"] + [PEANUT_DESSERT]
                _menu(kitchen, day, dishes, published, vegetarian=index == 1)
                added += 1
    db.session.flush()
    add_order_history(kitchens, period, town)
    # What Celery beat would send this morning: Hugo's family alert for the peanut dessert.
    SendAllergenAlerts(dt.datetime.combine(period.anchor, dt.time(8, 0))).apply()
    return added


def add_order_history(kitchens: dict[str, Kitchen], period: Period, town: Town) -> int:
    """The orders of the past open days, as beat would have frozen them (no mail: they are
    history), so that « Bilan des menus » shows ordered against served."""
    added = 0
    canteen = town.services[CANTEEN]
    for key, kitchen in kitchens.items():
        school = town.schools[key]
        day = max(period.start, period.anchor - dt.timedelta(days=21))
        while day < period.anchor:
            if town.calendar.is_open(day, school.id, canteen.id):
                counts = count_meals(kitchen, day).totals
                db.session.add(MealOrder(kitchen_id=kitchen.id, day=day, sequence=0,
                                         counts=json.dumps(counts, sort_keys=True),
                                         frozen_at=dt.datetime.combine(day, dt.time(8))))
                added += 1
            day += dt.timedelta(days=1)
    return added
