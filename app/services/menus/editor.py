"""The staff's menu commands: save a week from the one-screen editor, copy last week or the
last 5-week cycle, publish a week at a date. A change to a menu parents can already see
marks it « modifié ». Each command validates everything, then writes in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ...extensions import db
from ...models import Allergen, Course, Dish, DishLabel, DishVariant, Menu
from ..command import BaseCommand
from ..errors import ErrorCollector, transaction
from ..reservations.lookup import parse_typed_day
from .catalog import clean_codes, join, parse_allergens, parse_labels
from .week import is_published, load_menus, week_days, week_monday

#: The rows of the one-screen editor, per day: (course, variant).
EDITOR_SLOTS: list[tuple[str, str]] = [
    (Course.starter, DishVariant.standard),
    (Course.main, DishVariant.standard),
    (Course.main, DishVariant.no_pork),
    (Course.main, DishVariant.vegetarian),
    (Course.side, DishVariant.standard),
    (Course.dairy, DishVariant.standard),
    (Course.dessert, DishVariant.standard),
    (Course.snack, DishVariant.standard),
]
NAME_MAX = 160
CYCLE_WEEKS = 5


@dataclass
class DishEntry:
    course: str
    variant: str
    name: str
    allergens: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def signature(self) -> tuple:
        return (self.course, self.variant, self.name, join(self.allergens), join(self.labels))


@dataclass
class DayEntry:
    day: dt.date
    dishes: list[DishEntry] = field(default_factory=list)
    vegetarian: bool = False


def _signature(menu: Menu | None) -> tuple:
    if menu is None:
        return ()
    return (menu.vegetarian, sorted((d.course, d.variant, d.name, d.allergens, d.labels)
                                    for d in menu.dishes))


def replace_menu(kitchen_id: int, entry: DayEntry, existing: Menu | None, now: dt.datetime,
                 publish_on: dt.date | None = None) -> Menu | None:
    """Write one day's menu (inside the caller's transaction). No dish: the menu goes.
    A published menu that really changes gets `modified_at`."""
    if not entry.dishes:
        if existing is not None:
            db.session.delete(existing)
        return None
    menu = existing or Menu(kitchen_id=kitchen_id, day=entry.day, publish_on=publish_on)
    before = _signature(existing)
    if existing is None:
        db.session.add(menu)
    menu.dishes = [
        Dish(course=d.course, variant=d.variant, name=d.name, allergens=join(d.allergens),
             labels=join(d.labels), position=n)
        for n, d in enumerate(entry.dishes)
    ]
    menu.vegetarian = entry.vegetarian
    after = (entry.vegetarian, sorted((d.course, d.variant, d.name, join(d.allergens),
                                       join(d.labels)) for d in entry.dishes))
    if existing is not None and is_published(existing, now.date()) and before != after:
        menu.modified_at = now.replace(tzinfo=None)
    return menu


def check_entry(entry: DayEntry, errors: ErrorCollector) -> None:
    day = entry.day.strftime("%d/%m/%Y")
    for dish in entry.dishes:
        if len(dish.name) > NAME_MAX:
            errors.add(_("%(day)s : le nom « %(name)s… » dépasse %(max)s caractères.",
                         day=day, name=dish.name[:30], max=NAME_MAX))
        if dish.course not in Course._value2member_map_ or \
                dish.variant not in DishVariant._value2member_map_:
            errors.add(_("%(day)s : composante inconnue.", day=day))
        if set(clean_codes(dish.allergens, Allergen)) != set(dish.allergens) or \
                set(clean_codes(dish.labels, DishLabel)) != set(dish.labels):
            errors.add(_("%(day)s : allergène ou label inconnu pour « %(name)s ».",
                         day=day, name=dish.name))


def field_name(day: dt.date, slot: int, part: str) -> str:
    """Name of an editor input: d-2026-12-07-3-name / -allergens / -labels; d-…-veg."""
    return f"d-{day.isoformat()}-{slot}-{part}"


def entries_from_form(monday: dt.date, form: Mapping[str, str],
                      errors: ErrorCollector) -> list[DayEntry]:
    """The editor's five days, allergens and labels typed in words (« arachides, lait »)."""
    entries = []
    for day in week_days(monday):
        entry = DayEntry(day, vegetarian=bool(form.get(f"d-{day.isoformat()}-veg")))
        for slot, (course, variant) in enumerate(EDITOR_SLOTS):
            name = " ".join((form.get(field_name(day, slot, "name")) or "").split())
            allergens, unknown = parse_allergens(form.get(field_name(day, slot, "allergens")))
            labels, unknown_labels = parse_labels(form.get(field_name(day, slot, "labels")))
            if not name:
                continue
            for word in unknown:
                errors.add(_("%(day)s, « %(dish)s » : « %(word)s » n'est pas un des 14 "
                             "allergènes.", day=day.strftime("%d/%m/%Y"), dish=name, word=word),
                           field_name(day, slot, "allergens"))
            for word in unknown_labels:
                errors.add(_("%(day)s, « %(dish)s » : label « %(word)s » inconnu.",
                             day=day.strftime("%d/%m/%Y"), dish=name, word=word),
                           field_name(day, slot, "labels"))
            entry.dishes.append(DishEntry(course, variant, name, clean_codes(allergens, Allergen),
                                          clean_codes(labels, DishLabel)))
        entries.append(entry)
    return entries


class SaveWeek(BaseCommand):
    """The one-screen editor: the five days of a kitchen's week at once."""

    def __init__(self, kitchen_id: int, monday: dt.date, form: Mapping[str, str],
                 now: dt.datetime):
        self.kitchen_id, self.monday, self.form, self.now = kitchen_id, monday, form, now
        self.entries: list[DayEntry] = []

    def validate(self) -> None:
        errors = ErrorCollector()
        self.entries = entries_from_form(self.monday, self.form, errors)
        days = set(week_days(self.monday, 7))
        for entry in self.entries:
            if entry.day not in days:
                errors.add(_("Le %(day)s n'appartient pas à la semaine.",
                             day=entry.day.strftime("%d/%m/%Y")))
            check_entry(entry, errors)
        errors.raise_if_any()

    def run(self) -> int:
        self.validate()
        with transaction():
            existing = load_menus([self.kitchen_id], [e.day for e in self.entries])
            for entry in self.entries:
                replace_menu(self.kitchen_id, entry, existing.get((self.kitchen_id, entry.day)),
                             self.now)
        return sum(1 for e in self.entries if e.dishes)


def entry_of(menu: Menu, day: dt.date) -> DayEntry:
    return DayEntry(day, [DishEntry(d.course, d.variant, d.name, d.allergen_codes,
                                    d.label_codes) for d in menu.dishes], menu.vegetarian)


class CopyWeeks(BaseCommand):
    """Copy last week (weeks=1) or the last 5-week cycle (weeks=5) onto the week(s) starting
    at `monday`. Published target days are refused: they must be changed one by one."""

    def __init__(self, kitchen_id: int, monday: dt.date, weeks: int, now: dt.datetime):
        self.kitchen_id, self.monday, self.weeks, self.now = kitchen_id, week_monday(monday), \
            weeks, now
        span = 7 * weeks
        self.targets = [self.monday + dt.timedelta(days=n) for n in range(span)
                        if n % 7 < 5]
        self.sources = [day - dt.timedelta(days=span) for day in self.targets]

    def validate(self) -> None:
        errors = ErrorCollector()
        if self.weeks not in (1, CYCLE_WEEKS):
            errors.add(_("Copie possible d'une semaine ou d'un cycle de 5 semaines."))
            errors.raise_if_any()
        source = load_menus([self.kitchen_id], self.sources)
        target = load_menus([self.kitchen_id], self.targets)
        if not source:
            errors.add(_("Aucun menu à copier du %(start)s au %(end)s.",
                         start=self.sources[0].strftime("%d/%m/%Y"),
                         end=self.sources[-1].strftime("%d/%m/%Y")))
        published = [m.day for m in target.values() if is_published(m, self.now.date())]
        if published:
            errors.add(_("Menus déjà publiés, non remplacés : %(days)s.",
                         days=", ".join(d.strftime("%d/%m/%Y") for d in sorted(published))))
        errors.raise_if_any()

    def run(self) -> int:
        self.validate()
        copied = 0
        with transaction():
            source = load_menus([self.kitchen_id], self.sources)
            target = load_menus([self.kitchen_id], self.targets)
            for src_day, day in zip(self.sources, self.targets, strict=True):
                menu = source.get((self.kitchen_id, src_day))
                if menu is None:
                    continue
                replace_menu(self.kitchen_id, entry_of(menu, day),
                             target.get((self.kitchen_id, day)), self.now)
                copied += 1
        return copied


class PublishWeek(BaseCommand):
    """Parents see the week's menus from `publish_on` (today or a later date)."""

    def __init__(self, kitchen_id: int, monday: dt.date, publish_on: str | dt.date | None,
                 now: dt.datetime):
        self.kitchen_id, self.monday, self.now = kitchen_id, monday, now
        self.raw = publish_on
        self.publish_on: dt.date | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        value = parse_typed_day(self.raw)
        if value is None:
            errors.add(_("Date de publication invalide."), "publish_on")
        else:
            self.publish_on = value
        if not load_menus([self.kitchen_id], week_days(self.monday, 7)):
            errors.add(_("Aucun menu saisi pour cette semaine."))
        errors.raise_if_any()

    def run(self) -> int:
        self.validate()
        with transaction():
            menus = load_menus([self.kitchen_id], week_days(self.monday, 7))
            for menu in menus.values():
                if not is_published(menu, self.now.date()):
                    menu.publish_on = self.publish_on
        return len(menus)
