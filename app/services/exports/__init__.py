"""Spreadsheet exports of the back office: CSV for French Excel and XLSX with typed cells,
both streamed (flat memory whatever the number of rows).

- `safe_cell` (here): a text cell never runs as a formula, in both formats;
- `writers`: the two formats, row by row (`csv_chunks`, `write_xlsx`), typed by `Kind`;
- `specs`: what each list exports (columns as SQL expressions, one statement, a
  server-side cursor) and `stream_rows`, the rows of a filtered query;
- `naming`: French file names (`familles-2026-12-01.xlsx`, the portal's date).

Formula injection (CWE-1236, OWASP "CSV injection"): a family's field `=HYPERLINK(…)` or a
document named `=2+5+cmd|…` would run as a formula in the manager's Excel or LibreOffice.
A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return (after any leading
spaces) is prefixed with an apostrophe, which both programs show as plain text. Plain
numbers (`-12,50`, `-12,50 €`, `+33 6 12 34 56 78` is not one: it is text) stay numbers.
"""

from __future__ import annotations

import re

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d[\d\u00a0\u202f .]*(,\d+)?(\s?€)?")


def safe_cell(text: str) -> str:
    """`text` as a spreadsheet shows it: never a formula."""
    if not text:
        return text
    stripped = text.lstrip(" ")
    if stripped.startswith(_TRIGGERS) and not _NUMBER.fullmatch(stripped):
        return "'" + text
    return text
