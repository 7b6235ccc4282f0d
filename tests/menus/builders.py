"""Test data for the menus: a town with one kitchen serving one school, a canteen and a
family whose child is allergic to nuts. The clock: Tuesday 2026-12-01 09:00 (Paris)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.extensions import db
from app.models import (
    ChildAllergen,
    Dish,
    DishVariant,
    Family,
    Kitchen,
    Menu,
    School,
    Service,
)
from tests import factories as f

NOW = dt.datetime(2026, 12, 1, 9, 0)
MONDAY = dt.date(2026, 11, 30)
THURSDAY = dt.date(2026, 12, 3)
FRIDAY = dt.date(2026, 12, 4)


def kitchen(schools: list[School], name: str = "Cuisine centrale",
            email: str | None = "commandes@traiteur.example.org", **extra) -> Kitchen:
    row = Kitchen(name=name, caterer_name="Traiteur Breizh", caterer_email=email,
                  schools=schools, **extra)
    db.session.add(row)
    db.session.commit()
    return row


def menu(kitch: Kitchen, day: dt.date, dishes: list[tuple], publish_on: dt.date | None = None,
         vegetarian: bool = False) -> Menu:
    """dishes: (course, name, allergen codes "a,b", labels "x", variant)."""
    row = Menu(kitchen=kitch, day=day, publish_on=publish_on, vegetarian=vegetarian)
    for n, spec in enumerate(dishes):
        course, name, allergens, labels, variant = (list(spec) + ["", "", ""])[:5]
        row.dishes.append(Dish(course=course, name=name, allergens=allergens or "",
                               labels=labels or "", variant=variant or DishVariant.standard,
                               position=n))
    db.session.add(row)
    db.session.commit()
    return row


def declare(child, *codes: str) -> None:
    for code in codes:
        db.session.add(ChildAllergen(child_id=child.id, allergen=code))
    db.session.commit()


@dataclass
class Town:
    school: School
    canteen: Service
    kitchen: Kitchen
    family: Family

    @property
    def child(self):
        return self.family.children[0]


def town(username: str | None = "parent.menus", children: int = 1) -> Town:
    f.school_year()
    school = f.school("École Théodore Chalmel")
    canteen = f.service("cantine", schools=[school])
    kitch = kitchen([school])
    fam = f.family("Martin", school, children=children, username=username, marker="Martin")
    return Town(school, canteen, kitch, fam)


NUT_DESSERT = [("starter", "Carottes râpées", "", "organic"),
               ("main", "Sauté de porc", "", "label_rouge"),
               ("main", "Omelette", "eggs", "", "no_pork"),
               ("main", "Galette de légumes", "gluten", "", "vegetarian"),
               ("dessert", "Tarte aux noix", "nuts,gluten,milk", "homemade")]
