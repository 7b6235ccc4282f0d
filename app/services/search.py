"""Names as people search them: without case or accents, anywhere in the name, in French
order (Guérin before Guillou) on SQLite and PostgreSQL alike.

Each family, guardian and child keeps `search_name`, its name in lower case without
accents (« Famille Guérin » → "famille guerin", a child "guerin lea"), set before every
insert and update by the mapper events registered here (`register_search_names()`, called
by create_app) and filled for existing rows by the migration. Lists filter with
`name_contains()` and sort by that column."""

from __future__ import annotations

import unicodedata

from sqlalchemy import event

from ..models import Child, Family, Guardian

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'"})


def normalise(text: str | None) -> str:
    """« Guérin-Lefèvre  Œuvray » → "guerin-lefevre oeuvray"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_name_of(row) -> str:
    if isinstance(row, Family):
        return normalise(row.name)[:160]
    return normalise(f"{row.last_name or ''} {row.first_name or ''}")[:170]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_contains(column, typed: str):
    """SQL condition: the normalised column contains every word typed, in any order."""
    words = normalise(typed).split()[:6]
    conditions = [column.like(f"%{_escape_like(word)}%", escape="\\") for word in words]
    return conditions


def _set_search_name(_mapper, _connection, target) -> None:
    target.search_name = search_name_of(target)


def register_search_names() -> None:
    for model in (Family, Guardian, Child):
        if not event.contains(model, "before_insert", _set_search_name):
            event.listen(model, "before_insert", _set_search_name)
            event.listen(model, "before_update", _set_search_name)
