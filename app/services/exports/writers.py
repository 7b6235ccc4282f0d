"""The two export formats, written row by row so that memory stays flat.

- CSV for French Excel: UTF-8 with a BOM, `;` between cells, CRLF, decimal comma without
  thousands separator (`1234,50`, a number for the spreadsheet), dates `jj/mm/aaaa`,
  date-times in Paris time, Oui/Non. `csv_chunks` is a generator of text chunks (a few
  hundred rows each) for a streamed HTTP answer.
- XLSX with typed cells (XlsxWriter in `constant_memory` mode: each row is flushed to the
  temporary file as soon as the next one starts): dates and date-times as dates with a
  `jj/mm/aaaa` format, amounts as numbers with a euro format, counts as numbers.

Every text cell of both formats goes through `safe_cell`: never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _

from ..calendar import PARIS
from ..money import euros
from . import safe_cell

#: Excel's last row (1,048,576) less the header: above it an XLSX is refused, never cut.
XLSX_MAX_ROWS = 1_048_575
_CHUNK_ROWS = 500
_UTC = dt.UTC


class Kind(StrEnum):
    text = "text"
    date = "date"
    datetime = "datetime"  # stored naive UTC, exported in Paris time
    month = "month"  # a date standing for its month (mm/aaaa)
    money = "money"
    integer = "integer"
    boolean = "boolean"


@dataclass(frozen=True)
class Column:
    """One exported column: its French header, its kind, and for coded values (enums)
    the French label of each code."""

    label: Any
    kind: Kind = Kind.text
    labels: Mapping[str, Any] | None = field(default=None, hash=False)


def _paris(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.astimezone(PARIS).replace(tzinfo=None)


#: First characters after which `safe_cell` must look closer (a leading space included).
_RISKY = frozenset("=+-@\t\r ")


def _safe_text(value) -> str:
    """`safe_cell(str(value))`, with a fast way out for the usual text (hot path)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if text and text[0] in _RISKY:
        return safe_cell(text)
    return text


def _text_of(labels: Mapping[str, Any] | None) -> Callable[[Any], str]:
    if labels:
        names = {str(code): safe_cell(str(label)) for code, label in labels.items()}
        return lambda v: names.get(v) or _safe_text(v)
    return _safe_text


@lru_cache(maxsize=8192)
def _csv_date(v) -> str:
    return "" if v is None else f"{v.day:02d}/{v.month:02d}/{v.year}"


def _csv_datetime(v) -> str:
    if v is None:
        return ""
    v = _paris(v)
    return f"{v.day:02d}/{v.month:02d}/{v.year} {v.hour:02d}:{v.minute:02d}"


def _csv_month(v) -> str:
    return "" if v is None else f"{v.month:02d}/{v.year}"


def _csv_money(v) -> str:
    return "" if v is None else euros(v, space="", sign="")


def _csv_integer(v) -> str:
    return "" if v is None else str(int(v))


def _csv_converter(column: Column) -> Callable[[Any], str]:
    if column.kind == Kind.boolean:
        yes, no = _("Oui"), _("Non")
        return lambda v: "" if v is None else (yes if v else no)
    return {
        Kind.date: _csv_date,
        Kind.datetime: _csv_datetime,
        Kind.month: _csv_month,
        Kind.money: _csv_money,
        Kind.integer: _csv_integer,
    }.get(column.kind) or _text_of(column.labels)


def csv_chunks(columns: list[Column], rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text in chunks: the BOM and header first, then a few hundred rows each."""
    convert = [_csv_converter(c) for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")  # BOM: French Excel then reads UTF-8 correctly
    writer.writerow([safe_cell(str(c.label)) for c in columns])
    pending = 0
    for row in rows:
        writer.writerow([f(v) for f, v in zip(convert, row)])  # noqa: B905 (hot path)
        pending += 1
        if pending >= _CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


# --- XLSX ------------------------------------------------------------------------------

_FORMATS = {
    Kind.date: "dd/mm/yyyy",
    Kind.datetime: "dd/mm/yyyy hh:mm",
    Kind.month: "mm/yyyy",
    Kind.money: '#,##0.00 "€";-#,##0.00 "€"',
    Kind.integer: "0",
}


def _xlsx_writer(sheet, column: Column, fmt) -> Callable[[int, int, Any], None]:
    kind = column.kind
    if kind in (Kind.date, Kind.month):
        return lambda r, c, v: sheet.write_datetime(
            r, c, dt.datetime(v.year, v.month, v.day), fmt)
    if kind == Kind.datetime:
        return lambda r, c, v: sheet.write_datetime(r, c, _paris(v), fmt)
    if kind == Kind.money:
        return lambda r, c, v: sheet.write_number(r, c, float(Decimal(v)), fmt)
    if kind == Kind.integer:
        return lambda r, c, v: sheet.write_number(r, c, int(v), fmt)
    if kind == Kind.boolean:
        yes, no = _("Oui"), _("Non")
        return lambda r, c, v: sheet.write_string(r, c, yes if v else no)
    text = _text_of(column.labels)
    return lambda r, c, v: sheet.write_string(r, c, text(v))


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Export"


def write_xlsx(target, title: str, columns: list[Column], rows: Iterable[tuple]) -> int:
    """Write the rows into the XLSX file `target` (a path or a binary file); returns the
    number of rows written. Refuses (ValueError) past Excel's last row: never a cut file."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "dd/mm/yyyy",
    })
    try:
        sheet = book.add_worksheet(_sheet_title(title))
        header = book.add_format({"bold": True, "bottom": 1})
        formats = {kind: book.add_format({"num_format": code}) for kind, code in _FORMATS.items()}
        writers = []
        for index, column in enumerate(columns):
            width = 14 if column.kind != Kind.text else max(12, min(40, len(str(column.label)) + 4))
            sheet.set_column(index, index, width)
            writers.append(_xlsx_writer(sheet, column, formats.get(column.kind)))
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, safe_cell(str(column.label)), header)
        count = 0
        for count, row in enumerate(rows, start=1):
            if count > XLSX_MAX_ROWS:
                raise ValueError("more rows than Excel accepts")
            for index, (write, value) in enumerate(zip(writers, row, strict=True)):
                if value is not None:
                    write(count, index, value)
        if count:
            sheet.autofilter(0, 0, count, len(columns) - 1)
        return count
    finally:
        book.close()
