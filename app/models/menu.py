"""Canteen menus as data: kitchens (one caterer, one or more schools), a menu per kitchen and
day with its dishes (course, alternative, the 14 INCO allergens, EGalim labels), the
allergens declared for each child, the safety alerts sent to families, and the caterer's
meal orders (commandes de repas).

Allergen and label codes are stored as comma-separated codes (see `Allergen`, `DishLabel`);
rules live in app.services.menus.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, TimestampMixin, user_fk, utcnow


class Allergen(LabelledEnum):
    """The 14 allergens of EU regulation 1169/2011 (INCO), annex II."""

    gluten = "gluten"
    crustaceans = "crustaceans"
    eggs = "eggs"
    fish = "fish"
    peanuts = "peanuts"
    soy = "soy"
    milk = "milk"
    nuts = "nuts"
    celery = "celery"
    mustard = "mustard"
    sesame = "sesame"
    sulphites = "sulphites"
    lupin = "lupin"
    molluscs = "molluscs"


Allergen.LABELS = {
    Allergen.gluten: _l("gluten"),
    Allergen.crustaceans: _l("crustacés"),
    Allergen.eggs: _l("œufs"),
    Allergen.fish: _l("poisson"),
    Allergen.peanuts: _l("arachides"),
    Allergen.soy: _l("soja"),
    Allergen.milk: _l("lait"),
    Allergen.nuts: _l("fruits à coque"),
    Allergen.celery: _l("céleri"),
    Allergen.mustard: _l("moutarde"),
    Allergen.sesame: _l("sésame"),
    Allergen.sulphites: _l("sulfites"),
    Allergen.lupin: _l("lupin"),
    Allergen.molluscs: _l("mollusques"),
}


class DishLabel(LabelledEnum):
    """Quality labels counted by EGalim."""

    organic = "organic"
    label_rouge = "label_rouge"
    aop_igp = "aop_igp"
    sustainable_fishing = "sustainable_fishing"
    local = "local"
    homemade = "homemade"


DishLabel.LABELS = {
    DishLabel.organic: _l("Bio"),
    DishLabel.label_rouge: _l("Label Rouge"),
    DishLabel.aop_igp: _l("AOP / IGP"),
    DishLabel.sustainable_fishing: _l("Pêche durable"),
    DishLabel.local: _l("Local"),
    DishLabel.homemade: _l("Fait maison"),
}


class Course(LabelledEnum):
    starter = "starter"
    main = "main"
    side = "side"
    dairy = "dairy"
    dessert = "dessert"
    snack = "snack"


Course.LABELS = {
    Course.starter: _l("Entrée"),
    Course.main: _l("Plat"),
    Course.side: _l("Accompagnement"),
    Course.dairy: _l("Produit laitier"),
    Course.dessert: _l("Dessert"),
    Course.snack: _l("Goûter (périscolaire)"),
}


class DishVariant(LabelledEnum):
    """The dish everyone gets, or an alternative for a diet."""

    standard = "standard"
    no_pork = "no_pork"
    vegetarian = "vegetarian"


DishVariant.LABELS = {
    DishVariant.standard: _l("Standard"),
    DishVariant.no_pork: _l("Alternative sans porc"),
    DishVariant.vegetarian: _l("Alternative végétarienne"),
}


kitchen_school = Table(
    "kitchen_school",
    Model.metadata,
    Column("kitchen_id", Integer, ForeignKey("kitchen.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", Integer, ForeignKey("school.id", ondelete="CASCADE"), primary_key=True,
           unique=True),
)


class Kitchen(Model):
    """A kitchen (or caterer) serving one or more schools: one menu per day for all."""

    __tablename__ = "kitchen"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), unique=True, nullable=False)
    caterer_name = Column(String(120))
    caterer_email = Column(String(120))
    # Adults eating at the canteen each day (staff), ordered with the children's meals.
    adult_meals = Column(Integer, nullable=False, default=0)
    # The family's allergen alert is sent this many days before the day.
    alert_days = Column(Integer, nullable=False, default=3)
    active = Column(Boolean, nullable=False, default=True)

    schools = relationship("School", secondary=kitchen_school, order_by="School.name")

    def __repr__(self) -> str:
        return self.name


class Menu(TimestampMixin, Model):
    """The menu of one kitchen on one day. Parents see it from `publish_on`; a change made
    after that day sets `modified_at` (« modifié »)."""

    __tablename__ = "menu"
    __table_args__ = (UniqueConstraint("kitchen_id", "day", name="uq_menu_kitchen_day"),)
    id = Column(Integer, primary_key=True)
    kitchen_id = Column(Integer, ForeignKey("kitchen.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False, index=True)
    publish_on = Column(Date)
    modified_at = Column(DateTime)
    # The EGalim weekly vegetarian meal.
    vegetarian = Column(Boolean, nullable=False, default=False)
    note = Column(String(255))

    kitchen = relationship("Kitchen")
    dishes = relationship("Dish", back_populates="menu", cascade="all, delete-orphan",
                          order_by="Dish.position")

    def __repr__(self) -> str:
        return f"{self.kitchen} — {self.day:%d/%m/%Y}"


class Dish(Model):
    __tablename__ = "dish"
    id = Column(Integer, primary_key=True)
    menu_id = Column(Integer, ForeignKey("menu.id", ondelete="CASCADE"), nullable=False,
                     index=True)
    course = Column(String(16), nullable=False)
    variant = Column(String(16), nullable=False, default=DishVariant.standard)
    name = Column(String(160), nullable=False)
    allergens = Column(String(200), nullable=False, default="")  # Allergen codes, comma
    labels = Column(String(120), nullable=False, default="")  # DishLabel codes, comma
    position = Column(Integer, nullable=False, default=0)

    menu = relationship("Menu", back_populates="dishes")

    @property
    def allergen_codes(self) -> list[str]:
        return [code for code in (self.allergens or "").split(",") if code]

    @property
    def label_codes(self) -> list[str]:
        return [code for code in (self.labels or "").split(",") if code]

    def __repr__(self) -> str:
        return self.name


class ChildAllergen(Model):
    """An allergen declared for a child (allergy or PAI), checked against the menus."""

    __tablename__ = "child_allergen"
    __table_args__ = (UniqueConstraint("child_id", "allergen", name="uq_child_allergen"),)
    id = Column(Integer, primary_key=True)
    child_id = Column(Integer, ForeignKey("child.id", ondelete="CASCADE"), nullable=False,
                      index=True)
    allergen = Column(String(16), nullable=False)
    child = relationship("Child")

    def __repr__(self) -> str:
        return f"{self.child} — {Allergen(self.allergen).label}"


class MenuAlert(Model):
    """The allergen alert sent to a child's family for a day: at most one per child and day."""

    __tablename__ = "menu_alert"
    __table_args__ = (UniqueConstraint("child_id", "day", name="uq_menu_alert_child_day"),)
    id = Column(Integer, primary_key=True)
    child_id = Column(Integer, ForeignKey("child.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    allergens = Column(String(200), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class MealOrder(Model):
    """What was ordered from the caterer for a kitchen and day: the order frozen at the
    booking deadline (sequence 0), then each correction sent after it (1, 2…).
    `counts` is JSON: {diet or "adults": meals}."""

    __tablename__ = "meal_order"
    __table_args__ = (UniqueConstraint("kitchen_id", "day", "sequence", name="uq_meal_order"),)
    id = Column(Integer, primary_key=True)
    kitchen_id = Column(Integer, ForeignKey("kitchen.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False, index=True)
    sequence = Column(Integer, nullable=False, default=0)
    counts = Column(Text, nullable=False)
    frozen_at = Column(DateTime, nullable=False, default=utcnow)
    mail_id = Column(Integer, ForeignKey("outgoing_mail.id", ondelete="SET NULL"))
    created_by = user_fk()

    kitchen = relationship("Kitchen")


__all__ = [
    "Allergen",
    "ChildAllergen",
    "Course",
    "Dish",
    "DishLabel",
    "DishVariant",
    "Kitchen",
    "MealOrder",
    "Menu",
    "MenuAlert",
    "kitchen_school",
]
