"""Row locks that hold on both databases.

PostgreSQL locks rows with `SELECT … FOR UPDATE`. SQLite ignores FOR UPDATE and, through
pysqlite, does not even open a transaction before the first write: two requests can read the
same state and both write. `write_lock` takes SQLite's write lock first (a no-op UPDATE of the
rows, which opens the transaction), so a concurrent writer waits until this one commits and
then reads the new state. On PostgreSQL it takes the row locks too.
"""

from __future__ import annotations

from sqlalchemy import update

from ..extensions import db


def write_lock(model, ids: list[int]) -> None:
    """Lock `model`'s rows `ids` for the rest of the current transaction."""
    if not ids:
        return
    table = model.__table__
    db.session.execute(
        update(table).where(table.c.id.in_(ids)).values(id=table.c.id)
        .execution_options(synchronize_session=False)
    )
