"""Codes of allergens and labels, read from what people type (« Arachide », « fruits a
coque », « AOP »…) and written back as the stored comma-separated codes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ...models import Allergen, Course, DishLabel, DishVariant

COURSE_ORDER = [Course.starter, Course.main, Course.side, Course.dairy, Course.dessert,
                Course.snack]


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: « Fruits à coque » → « fruits a coque »."""
    text = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").replace("Œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(text.replace("-", " ").replace("_", " ").split())


_ALLERGEN_WORDS: dict[str, str] = {
    "gluten": Allergen.gluten, "ble": Allergen.gluten, "cereales": Allergen.gluten,
    "crustaces": Allergen.crustaceans, "crustace": Allergen.crustaceans,
    "oeuf": Allergen.eggs, "oeufs": Allergen.eggs,
    "poisson": Allergen.fish, "poissons": Allergen.fish,
    "arachide": Allergen.peanuts, "arachides": Allergen.peanuts,
    "cacahuete": Allergen.peanuts, "cacahuetes": Allergen.peanuts,
    "soja": Allergen.soy,
    "lait": Allergen.milk, "lactose": Allergen.milk,
    "fruits a coque": Allergen.nuts, "fruit a coque": Allergen.nuts, "noix": Allergen.nuts,
    "noisette": Allergen.nuts, "noisettes": Allergen.nuts, "amande": Allergen.nuts,
    "amandes": Allergen.nuts,
    "celeri": Allergen.celery,
    "moutarde": Allergen.mustard,
    "sesame": Allergen.sesame, "graines de sesame": Allergen.sesame,
    "sulfites": Allergen.sulphites, "sulfite": Allergen.sulphites,
    "anhydride sulfureux": Allergen.sulphites,
    "lupin": Allergen.lupin,
    "mollusques": Allergen.molluscs, "mollusque": Allergen.molluscs,
}
_LABEL_WORDS: dict[str, str] = {
    "bio": DishLabel.organic, "ab": DishLabel.organic, "biologique": DishLabel.organic,
    "label rouge": DishLabel.label_rouge, "lr": DishLabel.label_rouge,
    "aop": DishLabel.aop_igp, "igp": DishLabel.aop_igp, "aop/igp": DishLabel.aop_igp,
    "aop igp": DishLabel.aop_igp, "aoc": DishLabel.aop_igp,
    "peche durable": DishLabel.sustainable_fishing, "msc": DishLabel.sustainable_fishing,
    "local": DishLabel.local, "circuit court": DishLabel.local,
    "fait maison": DishLabel.homemade, "maison": DishLabel.homemade,
}
_COURSE_WORDS: dict[str, str] = {
    "entree": Course.starter, "plat": Course.main, "plat principal": Course.main,
    "accompagnement": Course.side, "garniture": Course.side,
    "produit laitier": Course.dairy, "laitage": Course.dairy, "fromage": Course.dairy,
    "dessert": Course.dessert, "gouter": Course.snack,
}
_VARIANT_WORDS: dict[str, str] = {
    "": DishVariant.standard, "standard": DishVariant.standard,
    "sans porc": DishVariant.no_pork, "vegetarien": DishVariant.vegetarian,
    "vege": DishVariant.vegetarian, "vegetarienne": DishVariant.vegetarian,
}
for _enum, _words in ((Allergen, _ALLERGEN_WORDS), (DishLabel, _LABEL_WORDS),
                      (Course, _COURSE_WORDS), (DishVariant, _VARIANT_WORDS)):
    for _member in _enum:
        _words.setdefault(_member.value, _member.value)
        _words.setdefault(fold(_enum.LABELS[_member]), _member.value)


def _parse(text: str | None, words: dict[str, str]) -> tuple[list[str], list[str]]:
    """(codes, unknown words) of a list separated by commas, semicolons or slashes-free '|'."""
    codes, unknown = [], []
    raw = (text or "").replace(";", ",").replace("|", ",")
    for part in raw.split(","):
        word = fold(part)
        if not word:
            continue
        code = words.get(word)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def parse_allergens(text: str | None) -> tuple[list[str], list[str]]:
    return _parse(text, _ALLERGEN_WORDS)


def parse_labels(text: str | None) -> tuple[list[str], list[str]]:
    return _parse(text, _LABEL_WORDS)


def parse_course(text: str | None) -> str | None:
    return _COURSE_WORDS.get(fold(text or ""))


def parse_variant(text: str | None) -> str | None:
    return _VARIANT_WORDS.get(fold(text or ""))


def clean_codes(values: Iterable[str], enum) -> list[str]:
    """Known codes only, in the enum's order (form checkboxes and selects)."""
    wanted = set(values)
    return [m.value for m in enum if m.value in wanted]


def join(codes: Iterable[str]) -> str:
    return ",".join(codes)


def allergen_words(codes: Iterable[str]) -> str:
    """« arachides, lait »: the allergens in words (never a colour or an icon alone)."""
    wanted = set(codes)
    return ", ".join(a.label for a in Allergen if a.value in wanted)


def label_words(codes: Iterable[str]) -> str:
    wanted = set(codes)
    return ", ".join(lab.label for lab in DishLabel if lab.value in wanted)
