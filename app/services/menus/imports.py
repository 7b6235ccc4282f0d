"""Import of the caterer's file (CSV or XLSX): one row per dish, columns chosen by a
mapping (which header holds the date, the course, the dish…). Every row is checked first;
one bad row and nothing is imported, with the line number of each problem. The days found
replace the kitchen's menus of those days (a published one is then marked « modifié »)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Allergen, DishLabel, Kitchen
from ..command import BaseCommand
from ..errors import ErrorCollector, transaction
from .catalog import clean_codes, fold, parse_allergens, parse_course, parse_labels, parse_variant
from .editor import DayEntry, DishEntry, check_entry, replace_menu
from .week import load_menus

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 50

#: The fields of a row, with the header expected by default.
FIELDS: dict[str, tuple] = {
    "date": (_l("Date"), "date", True),
    "course": (_l("Composante"), "composante", True),
    "dish": (_l("Plat"), "plat", True),
    "allergens": (_l("Allergènes"), "allergenes", False),
    "labels": (_l("Labels"), "labels", False),
    "variant": (_l("Régime (standard, sans porc, végétarien)"), "regime", False),
    "vegetarian": (_l("Repas végétarien (oui / non)"), "vegetarien", False),
}
_YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}


def default_mapping() -> dict[str, str]:
    return {name: spec[1] for name, spec in FIELDS.items()}


def _rows_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _rows_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_rows(filename: str, content: bytes) -> list[list]:
    """The file's rows (header first). Raises ValueError for an unreadable file."""
    if filename.lower().endswith(".xlsx"):
        try:
            return _rows_xlsx(content)
        except Exception as exc:  # a corrupt workbook: openpyxl raises many kinds
            raise ValueError(str(exc)) from exc
    return _rows_csv(content)


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class ImportResult:
    days: int
    dishes: int


class ImportCatererFile(BaseCommand):
    def __init__(self, kitchen_id: int | str | None, filename: str | None, content: bytes,
                 mapping: Mapping[str, str], now: dt.datetime):
        self.kitchen_id, self.filename, self.content = kitchen_id, filename or "", content
        self.mapping = {k: (v or "").strip() for k, v in mapping.items()}
        self.now = now
        self.entries: dict[dt.date, DayEntry] = {}
        self.kitchen: Kitchen | None = None

    def _columns(self, header: list, errors: ErrorCollector) -> dict[str, int]:
        found = {fold(str(h or "")): n for n, h in enumerate(header)}
        columns = {}
        for name, (label, default, required) in FIELDS.items():
            wanted = self.mapping.get(name) or default
            if fold(wanted) in found:
                columns[name] = found[fold(wanted)]
            elif required or self.mapping.get(name):
                errors.add(_("Colonne « %(column)s » (%(field)s) absente du fichier ; colonnes "
                             "trouvées : %(found)s.", column=wanted, field=label,
                             found=", ".join(str(h) for h in header if h) or "—"),
                           f"map_{name}")
        return columns

    def _row(self, line: int, row: list, columns: dict[str, int], errors: ErrorCollector):
        def cell(name: str) -> str:
            n = columns.get(name)
            value = row[n] if n is not None and n < len(row) else None
            return value if isinstance(value, dt.date) else str(value or "").strip()

        problems = []
        day = _day(cell("date"))
        if day is None:
            problems.append(_("date « %(value)s » invalide (jj/mm/aaaa)", value=cell("date")))
        course = parse_course(cell("course"))
        if course is None:
            problems.append(_("composante « %(value)s » inconnue", value=cell("course")))
        variant = parse_variant(cell("variant"))
        if variant is None:
            problems.append(_("régime « %(value)s » inconnu", value=cell("variant")))
        name = " ".join(cell("dish").split())
        if not name:
            problems.append(_("nom du plat manquant"))
        allergens, unknown = parse_allergens(cell("allergens"))
        problems += [_("allergène « %(value)s » inconnu", value=w) for w in unknown]
        labels, unknown = parse_labels(cell("labels"))
        problems += [_("label « %(value)s » inconnu", value=w) for w in unknown]
        if problems:
            errors.add(_("Ligne %(line)s : %(problems)s.", line=line,
                         problems=" ; ".join(problems)))
            return
        entry = self.entries.setdefault(day, DayEntry(day))
        entry.dishes.append(DishEntry(course, variant, name, clean_codes(allergens, Allergen),
                                      clean_codes(labels, DishLabel)))
        entry.vegetarian = entry.vegetarian or fold(cell("vegetarian")) in _YES

    def validate(self) -> None:
        errors = ErrorCollector()
        try:
            self.kitchen = db.session.get(Kitchen, int(self.kitchen_id or 0))
        except (TypeError, ValueError):
            self.kitchen = None
        if self.kitchen is None:
            errors.add(_("Choisissez la cuisine."), "kitchen")
        if not self.content:
            errors.add(_("Choisissez le fichier du prestataire (CSV ou XLSX)."), "file")
        elif len(self.content) > MAX_BYTES:
            errors.add(_("Fichier trop volumineux (2 Mo au plus)."), "file")
        elif not self.filename.lower().endswith((".csv", ".xlsx", ".txt")):
            errors.add(_("Format non reconnu : un fichier .csv ou .xlsx est attendu."), "file")
        errors.raise_if_any()
        try:
            rows = read_rows(self.filename, self.content)
        except ValueError:
            errors.add(_("Fichier illisible : enregistrez-le en CSV ou XLSX."), "file")
            errors.raise_if_any()
        self._check_rows(rows, errors)
        errors.raise_if_any()

    def _check_rows(self, rows: list[list], errors: ErrorCollector) -> None:
        if len(rows) < 2:
            errors.add(_("Le fichier ne contient aucune ligne de menu."), "file")
            return
        if len(rows) > MAX_ROWS:
            errors.add(_("Trop de lignes (%(max)s au plus).", max=MAX_ROWS), "file")
            return
        columns = self._columns(rows[0], errors)
        if errors:
            return
        for line, row in enumerate(rows[1:], start=2):
            if not any(str(v or "").strip() for v in row):
                continue
            self._row(line, row, columns, errors)
            if len(errors.messages) >= MAX_ERRORS_SHOWN:
                errors.add(_("… arrêt après %(num)s lignes refusées.", num=MAX_ERRORS_SHOWN))
                return
        for entry in self.entries.values():
            check_entry(entry, errors)
        if not self.entries and not errors:
            errors.add(_("Le fichier ne contient aucune ligne de menu."), "file")

    def run(self) -> ImportResult:
        self.validate()
        with transaction():
            existing = load_menus([self.kitchen.id], list(self.entries))
            for day, entry in sorted(self.entries.items()):
                replace_menu(self.kitchen.id, entry, existing.get((self.kitchen.id, day)),
                             self.now)
        return ImportResult(len(self.entries), sum(len(e.dishes) for e in self.entries.values()))
