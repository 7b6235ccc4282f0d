"""The demo town's families, as plain descriptions (no database here).

Family n is always the same whatever the town's size (its random generator is seeded with n),
so `flask portal demo --families 2000` after a default run only adds families 31…2000.
Phone numbers are in the ranges ARCEP reserves for fiction; e-mails use example.org.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

CANTEEN, CARE_MORNING, CARE_EVENING = "cantine", "peri_matin", "peri_soir"
CHALMEL, SAINTE_THERESE = "chalmel", "sainte-therese"
SCHOOL_DAYS = (0, 1, 3, 4)  # Monday, Tuesday, Thursday, Friday
TOWN, POSTAL_CODE = "Saint-Père", "35430"
#: Families 1…SMALL_TOWN go to the brochure's two schools; later ones to extra schools.
SMALL_TOWN = 60
FAMILIES_PER_EXTRA_SCHOOL = 100

LEVELS = ("PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2")
TEACHERS = {
    CHALMEL: ("Mme Hamon", "Mme Hamon", "Mme Le Bris", "Mme Carré", "M. Lucas",
              "Mme Guillemot", "M. Rivière", "Mme Besnard"),
    SAINTE_THERESE: ("Mme Jouan", "Mme Jouan", "Mme Jouan", "Mme Pichon", "Mme Pichon",
                     "M. Gicquel", "M. Gicquel", "Mme Lebreton"),
}
GIRLS = ("Léa", "Emma", "Jade", "Louise", "Alice", "Chloé", "Lina", "Rose", "Anna", "Mila",
         "Ambre", "Julia", "Inès", "Léna", "Zoé", "Manon", "Camille", "Lou", "Nina", "Agathe",
         "Romane", "Margaux", "Nolwenn", "Clémence", "Juliette", "Yasmine", "Maëlys", "Capucine")
BOYS = ("Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Jules", "Adam", "Maël", "Lucas",
        "Noah", "Liam", "Sacha", "Paul", "Nathan", "Aaron", "Ethan", "Tom", "Timéo", "Malo",
        "Nolan", "Axel", "Théo", "Elouan", "Titouan", "Erwan", "Youssef", "Corentin", "Basile")
MOTHERS = ("Aurélie", "Émilie", "Céline", "Sandrine", "Stéphanie", "Élodie", "Marion", "Anne",
           "Laëtitia", "Sophie", "Caroline", "Virginie", "Nadia", "Gwenaëlle", "Katell",
           "Mélanie", "Audrey", "Charlotte", "Fatima", "Hélène")
FATHERS = ("Julien", "Sébastien", "Guillaume", "Mathieu", "Romain", "Jérôme", "Olivier",
           "Christophe", "Benoît", "Damien", "Anthony", "Karim", "Ronan", "Loïc", "Fabien",
           "Cédric", "Arnaud", "Maxime", "Pierre", "Samir")
SURNAMES = ("Lefebvre", "Dubois", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel",
            "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
            "Rousseau", "Vincent", "Guérin", "Le Goff", "Guillou", "Le Bihan", "Tanguy",
            "Hamel", "Rault", "Lemoine", "Collet", "Gauthier", "Perrin", "Morin", "Renaud",
            "Marchand", "Barbier", "Benali", "Nguyen", "Da Silva", "Diallo", "Haddad",
            "Kerjean", "Jaouen", "Le Corre", "Riou", "Cadiou", "Prigent", "Le Floch")
STREETS = ("rue de la Mairie", "rue des Écoles", "allée des Mimosas", "rue du Clos Poulet",
           "impasse des Hortensias", "rue de la Gare", "chemin des Vergers", "rue Saint-Malo",
           "place de l'Église", "rue des Genêts", "allée des Chênes", "rue du Verger")
ALLERGIES = ("Arachide", "Lait de vache", "Œuf", "Gluten", "Fruits à coque", "Kiwi")


@dataclass
class ChildSpec:
    key: str
    first_name: str
    last_name: str
    birth_date: dt.date
    school: str
    class_name: str
    allergies: str | None = None
    has_pai: bool = False
    pai_details: str | None = None
    diet: str = "standard"
    photo_consent: bool = True
    # (full name, relationship, phone, emergency contact)
    pickups: list[tuple[str, str, str, bool]] = field(default_factory=list)


@dataclass
class GuardianSpec:
    first_name: str
    last_name: str
    relationship: str
    login: str
    phone: str


@dataclass
class FamilySpec:
    index: int
    surname: str
    guardians: list[GuardianSpec]
    children: list[ChildSpec]
    # child key → service code → weekdays booked by THIS family (0=Monday)
    plans: dict[str, dict[str, tuple[int, ...]]]
    # calendar year → quotient familial (CAF attestations run January to December)
    qf: dict[int, int]
    street: str = "rue de la Mairie"
    featured: bool = False

    @property
    def account_code(self) -> str:
        return f"F{self.index:05d}"

    @property
    def name(self) -> str:
        return f"Famille {self.surname}"

    @property
    def address(self) -> str:
        return f"{self.index % 97 + 1} {self.street}"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-").strip("-")


def login_for(first: str, last: str) -> str:
    return f"{slug(first)}.{slug(last.replace(' ', ''))}"


def mobile(rng: random.Random) -> str:
    return f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def school_for(index: int, rng: random.Random) -> str:
    if index <= SMALL_TOWN:
        return CHALMEL if rng.random() < 0.6 else SAINTE_THERESE
    return f"ecole-{(index - SMALL_TOWN - 1) // FAMILIES_PER_EXTRA_SCHOOL + 1}"


def extra_school_count(families: int) -> int:
    extra = max(0, families - SMALL_TOWN)
    return -(-extra // FAMILIES_PER_EXTRA_SCHOOL)


def class_name(school: str, birth_date: dt.date, year_start: int) -> str:
    level = min(max(year_start - birth_date.year - 3, 0), len(LEVELS) - 1)
    teacher = TEACHERS.get(school)
    return f"{LEVELS[level]} — {teacher[level]}" if teacher else LEVELS[level]


def birth_date(rng: random.Random, level: int, year_start: int) -> dt.date:
    year = year_start - 3 - level
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _random_days(rng: random.Random) -> tuple[int, ...]:
    if rng.random() < 0.7:
        return SCHOOL_DAYS
    return tuple(sorted(rng.sample(SCHOOL_DAYS, rng.randint(2, 3))))


def _random_plan(rng: random.Random) -> dict[str, tuple[int, ...]]:
    plan: dict[str, tuple[int, ...]] = {}
    if rng.random() < 0.9:
        plan[CANTEEN] = _random_days(rng)
    if rng.random() < 0.25:
        plan[CARE_MORNING] = _random_days(rng)
    if rng.random() < 0.4:
        plan[CARE_EVENING] = _random_days(rng)
    return plan


def _random_child(rng: random.Random, key: str, surname: str, school: str,
                  year_start: int, used: set[str]) -> ChildSpec:
    names = [n for n in (GIRLS if rng.random() < 0.5 else BOYS) if n not in used]
    first = rng.choice(names)
    used.add(first)
    born = birth_date(rng, rng.randint(0, len(LEVELS) - 1), year_start)
    child = ChildSpec(key, first, surname, born, school, class_name(school, born, year_start),
                      photo_consent=rng.random() < 0.85)
    roll = rng.random()
    if roll < 0.1:
        child.allergies = rng.choice(ALLERGIES)
        child.has_pai = rng.random() < 0.5
        if child.has_pai:
            child.pai_details = f"PAI allergie ({child.allergies.lower()}) : trousse d'urgence."
    elif roll < 0.18:
        child.diet = "no_pork"
    elif roll < 0.23:
        child.diet = "vegetarian"
    if rng.random() < 0.5:
        grand = rng.choice(MOTHERS + FATHERS)
        child.pickups.append((f"{grand} {surname}", "grand-parent", mobile(rng), True))
    return child


def _random_qf(rng: random.Random, years: range) -> dict[int, int]:
    if rng.random() < 0.15:  # no attestation given: the highest bracket applies
        return {}
    base = rng.choice((320, 520, 690, 870, 1050, 1240, 1480, 1760))
    return {year: base + rng.randint(-40, 40) for year in years}


def random_family(index: int, year_start: int, qf_years: range) -> FamilySpec:
    rng = random.Random(f"portail-demo-{index}")
    surname = SURNAMES[(index - 5) % len(SURNAMES)] if index <= SMALL_TOWN else rng.choice(SURNAMES)
    school = school_for(index, rng)
    guardians = []
    if rng.random() < 0.85:
        first = rng.choice(MOTHERS)
        last = surname if rng.random() < 0.75 else rng.choice(SURNAMES)
        guardians.append(GuardianSpec(first, last, "mère", login_for(first, last), mobile(rng)))
    if not guardians or rng.random() < 0.7:
        first = rng.choice(FATHERS)
        guardians.append(GuardianSpec(first, surname, "père", login_for(first, surname),
                                      mobile(rng)))
    used: set[str] = set()
    count = rng.choices((1, 2, 3), weights=(40, 45, 15))[0]
    children = [_random_child(rng, f"F{index:05d}-{n}", surname, school, year_start, used)
                for n in range(1, count + 1)]
    plans = {c.key: _random_plan(rng) for c in children}
    return FamilySpec(index, surname, guardians, children, plans, _random_qf(rng, qf_years),
                      street=rng.choice(STREETS))
