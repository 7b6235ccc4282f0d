"""What the import pages show: recent imports, one import's state and report, the
guardians it created (for their invitations)."""

from __future__ import annotations

import json

from sqlalchemy import select

from ...extensions import db
from ...models import FamilyImport, Guardian, ImportState

RECENT = 10
FINISHED = (ImportState.done, ImportState.failed)


def recent_imports() -> list[FamilyImport]:
    return db.session.scalars(select(FamilyImport).order_by(FamilyImport.id.desc())
                              .limit(RECENT)).all()


def import_status(record: FamilyImport) -> dict:
    """The JSON the progress bar polls."""
    result = json.loads(record.result or "{}")
    return {
        "id": record.id,
        "state": record.state,
        "state_label": str(ImportState(record.state).label),
        "done": record.rows_done,
        "total": record.rows_total,
        "finished": record.state in FINISHED,
        "counts": {k: v for k, v in result.items() if isinstance(v, int)},
    }


def refused_lines(record: FamilyImport) -> list[tuple[int, str]]:
    return [tuple(pair) for pair in json.loads(record.errors or "[]")]


def preview_counts(record: FamilyImport) -> dict[str, int]:
    return json.loads(record.result or "{}").get("preview", {})


def imported_guardians(record: FamilyImport) -> list[Guardian]:
    ids = json.loads(record.result or "{}").get("guardian_ids", [])
    if not ids:
        return []
    return db.session.scalars(select(Guardian).where(Guardian.id.in_(ids))
                              .order_by(Guardian.last_name, Guardian.first_name)).all()
