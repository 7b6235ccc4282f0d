"""The four families whose parents' logins the demo prints: one per school, and a
separated couple who share their son Lucas (each books and pays their own days)."""

from __future__ import annotations

import datetime as dt

from .people import (
    CANTEEN,
    CARE_EVENING,
    CARE_MORNING,
    CHALMEL,
    SAINTE_THERESE,
    SCHOOL_DAYS,
    ChildSpec,
    FamilySpec,
    GuardianSpec,
    class_name,
    random_family,
)

#: Logins printed by `flask portal demo` (all with the parents' demo password).
PRINTED_PARENTS = ("claire.martin", "yann.legall", "thomas.bernard", "julie.morel")


def _child(key: str, first: str, last: str, born: dt.date, school: str, year_start: int,
           **extra) -> ChildSpec:
    return ChildSpec(key, first, last, born, school, class_name(school, born, year_start),
                     **extra)


def featured_families(year_start: int, qf_years: range) -> list[FamilySpec]:
    y = year_start
    lea = _child("martin-lea", "Léa", "Martin", dt.date(y - 10, 4, 12), CHALMEL, y,
                 pickups=[("Monique Martin", "grand-mère", "06 39 98 10 21", True)])
    hugo = _child("martin-hugo", "Hugo", "Martin", dt.date(y - 7, 9, 30), CHALMEL, y,
                  allergies="Arachide", has_pai=True,
                  pai_details="PAI allergie à l'arachide : trousse d'urgence en classe.")
    martin = FamilySpec(
        1, "Martin",
        [GuardianSpec("Claire", "Martin", "mère", "claire.martin", "06 39 98 12 34"),
         GuardianSpec("Nicolas", "Martin", "père", "nicolas.martin", "06 39 98 56 78")],
        [lea, hugo],
        {lea.key: {CANTEEN: SCHOOL_DAYS, CARE_EVENING: (0, 1, 3)},
         hugo.key: {CANTEEN: SCHOOL_DAYS, CARE_MORNING: (0, 1), CARE_EVENING: (0, 1, 3)}},
        {year: qf for year, qf in zip(qf_years, (690, 720, 735), strict=False)},
        street="rue des Écoles", featured=True,
    )
    gabin = _child("legall-gabin", "Gabin", "Le Gall", dt.date(y - 9, 2, 3), SAINTE_THERESE, y)
    jade = _child("legall-jade", "Jade", "Le Gall", dt.date(y - 5, 6, 18), SAINTE_THERESE, y,
                  diet="vegetarian",
                  pickups=[("Soizic Le Gall", "tante", "06 39 98 44 10", False)])
    legall = FamilySpec(
        2, "Le Gall",
        [GuardianSpec("Yann", "Le Gall", "père", "yann.legall", "06 39 98 23 45"),
         GuardianSpec("Maïwenn", "Le Gall", "mère", "maiwenn.legall", "06 39 98 67 89")],
        [gabin, jade],
        {gabin.key: {CANTEEN: SCHOOL_DAYS, CARE_EVENING: SCHOOL_DAYS},
         jade.key: {CANTEEN: SCHOOL_DAYS, CARE_MORNING: SCHOOL_DAYS, CARE_EVENING: SCHOOL_DAYS}},
        {year: qf for year, qf in zip(qf_years, (1310, 1350, 1380), strict=False)},
        street="allée des Chênes", featured=True,
    )
    lucas = _child("bernard-lucas", "Lucas", "Bernard", dt.date(y - 8, 11, 7), CHALMEL, y,
                   pickups=[("Gérard Bernard", "grand-père", "06 39 98 31 31", True)])
    bernard = FamilySpec(
        3, "Bernard",
        [GuardianSpec("Thomas", "Bernard", "père", "thomas.bernard", "06 39 98 34 56")],
        [lucas], {lucas.key: {CANTEEN: (0, 1), CARE_EVENING: (0, 1)}},
        {year: 980 for year in qf_years},
        street="rue du Clos Poulet", featured=True,
    )
    # Julie Morel's CAF attestation has expired: she pays the highest bracket until she
    # sends a new one.
    morel = FamilySpec(
        4, "Morel",
        [GuardianSpec("Julie", "Morel", "mère", "julie.morel", "06 39 98 45 67")],
        [lucas], {lucas.key: {CANTEEN: (3, 4), CARE_MORNING: (3, 4)}},
        {qf_years[0]: 1120} if len(qf_years) > 1 else {},
        street="impasse des Hortensias", featured=True,
    )
    return [martin, legall, bernard, morel]


def all_families(count: int, year_start: int, qf_years: range) -> list[FamilySpec]:
    featured = featured_families(year_start, qf_years)
    return featured[:count] + [random_family(i, year_start, qf_years)
                               for i in range(len(featured) + 1, count + 1)]
