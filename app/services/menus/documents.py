"""Printed menus: the weekly poster for the school's display board (A4 landscape PDF,
xhtml2pdf like the invoices), always in French."""

from __future__ import annotations

import datetime as dt

from ...models import Course, DishVariant, Kitchen
from ..attendance import render_pdf
from .catalog import COURSE_ORDER, allergen_words, label_words
from .egalim import egalim_table
from .week import load_menus, week_days


def poster_grid(kitchen: Kitchen, monday: dt.date) -> tuple[list, list]:
    """(days with their menu, rows: (course label, [per day: [(dish, allergens, labels,
    variant label)]]))."""
    days = week_days(monday)
    menus = load_menus([kitchen.id], days)
    rows = []
    for course in COURSE_ORDER:
        cells, filled = [], False
        for day in days:
            menu = menus.get((kitchen.id, day))
            dishes = [d for d in (menu.dishes if menu else []) if d.course == course]
            dishes.sort(key=lambda d: d.variant != DishVariant.standard)
            cells.append([(d.name, allergen_words(d.allergen_codes), label_words(d.label_codes),
                           None if d.variant == DishVariant.standard
                           else DishVariant(d.variant).label) for d in dishes])
            filled = filled or bool(dishes)
        if filled:
            rows.append((Course(course).label, cells))
    return [(day, menus.get((kitchen.id, day))) for day in days], rows


def weekly_poster(kitchen: Kitchen, monday: dt.date, today: dt.date) -> bytes:
    days, rows = poster_grid(kitchen, monday)
    egalim = egalim_table([kitchen], monday, monday + dt.timedelta(days=6))
    return render_pdf("pdf/menu_poster.html", kitchen=kitchen, monday=monday, days=days,
                      rows=rows, egalim=egalim[0] if egalim else None, printed=today)
