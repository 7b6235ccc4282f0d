"""Gap-free numbering of invoices (FAC-2026-000001) and credit notes (AV-2026-000001).

One counter row per prefix and year (DocumentSequence), locked (SELECT … FOR UPDATE) and
moved in the caller's transaction: the numbers exist if and only if the documents they
number are committed, so a failed run leaves no hole and two concurrent runs never share a
number. The caller commits (or rolls back).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import DocumentSequence

INVOICE_PREFIX = "FAC"
CREDIT_NOTE_PREFIX = "AV"


def format_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def _locked_row(prefix: str, year: int) -> DocumentSequence:
    query = (
        select(DocumentSequence)
        .where(DocumentSequence.prefix == prefix, DocumentSequence.year == year)
        .with_for_update()
        # The counter may already sit in the session: read the locked row's value.
        .execution_options(populate_existing=True)
    )
    row = db.session.scalars(query).one_or_none()
    if row is not None:
        return row
    # First document of the year. A concurrent transaction creating the same row makes our
    # insert fail (after waiting for it): its row is then the one to lock. (SQLite has one
    # writer at a time, and pysqlite's savepoints would commit the row on their own.)
    if db.engine.dialect.name == "sqlite":
        db.session.add(DocumentSequence(prefix=prefix, year=year, last_number=0))
        db.session.flush()
        return db.session.scalars(query).one()
    try:
        with db.session.begin_nested():
            db.session.add(DocumentSequence(prefix=prefix, year=year, last_number=0))
    except IntegrityError:
        pass
    return db.session.scalars(query).one()


def reserve_numbers(prefix: str, year: int, count: int) -> list[str]:
    """The next `count` numbers of the sequence, in order, taken in this transaction."""
    if count <= 0:
        return []
    row = _locked_row(prefix, year)
    first = row.last_number + 1
    row.last_number += count
    return [format_number(prefix, year, n) for n in range(first, first + count)]


def next_number(prefix: str, year: int) -> str:
    return reserve_numbers(prefix, year, 1)[0]


class Sequence:
    """Numbers taken one by one in a long transaction (a billing run): the counter is
    locked at the first number and stays locked until the commit or rollback."""

    def __init__(self, prefix: str, year: int):
        self.prefix, self.year = prefix, year
        self._row: DocumentSequence | None = None

    def take(self) -> str:
        if self._row is None:
            self._row = _locked_row(self.prefix, self.year)
        self._row.last_number += 1
        return format_number(self.prefix, self.year, self._row.last_number)

    def take_many(self, count: int) -> list[str]:
        """The next `count` numbers, in order (one bulk issue)."""
        if count <= 0:
            return []
        if self._row is None:
            self._row = _locked_row(self.prefix, self.year)
        first = self._row.last_number + 1
        self._row.last_number += count
        return [format_number(self.prefix, self.year, n) for n in range(first, first + count)]
