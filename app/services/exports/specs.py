"""What an export reads: its columns as SQL expressions over the list's model (one
statement, read through a server-side cursor), plus optional columns filled per chunk of
rows (a family's guardians, an invoice's payments: one more statement per 1,000 rows).

The caller gives the list's query (its filters and order already applied: the staff list's
current FAB filters); `rows()` selects the spec's columns from it and streams tuples in the
order of `columns()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ...extensions import db
from .writers import Column

#: Rows fetched per round trip of the server-side cursor.
FETCH_ROWS = 2000
#: Rows per chunk for the per-chunk columns (one statement each).
CHUNK_ROWS = 1000


@dataclass(frozen=True)
class Extra:
    """Columns computed for a chunk of rows: `fetch(ids)` → {id: tuple of values}."""

    columns: list[Column]
    fetch: Callable[[list[int]], dict[int, tuple]]


@dataclass(frozen=True)
class ExportSpec:
    name: str  # the file name's stem, French: "familles"
    title: Any  # the sheet's title
    model: Any
    fields: list[tuple[Column, Any]]  # (column, SQL expression)
    joins: tuple[tuple[Any, Any], ...] = ()  # (aliased model, on clause): outer joins
    extra: Extra | None = None
    order: tuple = field(default=())  # a default order when the query has none

    def columns(self) -> list[Column]:
        own = [column for column, _ in self.fields]
        return own + (self.extra.columns if self.extra else [])

    def select(self, query):
        """The list's query (legacy ORM Query on `model`) reading this spec's columns."""
        selected = query.with_entities(self.model.id, *(expr for _, expr in self.fields))
        for target, onclause in self.joins:
            selected = selected.outerjoin(target, onclause)
        if self.order and not query._order_by_clauses:
            selected = selected.order_by(*self.order)
        return selected

    def rows(self, query) -> Iterator[tuple]:
        """The rows, read by a server-side cursor (PostgreSQL) `FETCH_ROWS` at a time, as
        plain Core rows (the columns are plain columns: no ORM loading per row)."""
        connection = db.session.connection().execution_options(
            stream_results=True, max_row_buffer=FETCH_ROWS)
        result = connection.execute(self.select(query).statement)
        try:
            yield from self._read(result)
        finally:
            result.close()  # however the reading ends (a download cut short included)

    def _read(self, result) -> Iterator[tuple]:
        if self.extra is None:
            for partition in result.partitions(FETCH_ROWS):
                for row in partition:
                    yield row[1:]
            return
        blank = (None,) * len(self.extra.columns)
        iterator = iter(result)
        while chunk := list(islice(iterator, CHUNK_ROWS)):
            found = self.extra.fetch([row[0] for row in chunk])
            for row in chunk:
                yield tuple(row[1:]) + found.get(row[0], blank)
