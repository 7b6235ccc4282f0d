"""Family isolation, in one place: which families the logged-in user acts for, and which
rows of each model belong to them.

- `current_family_ids()`: every family the user is a guardian of (a guardian can have
  two: separated parents, a child in two families);
- `current_family_id()`: the one family a single-household page acts for — the one the
  guardian chose with the switch (`choose_family`), else the first; a page that calls it
  shows the switch (`family_switch()`) whenever the user has several families, so a
  guardian of two families is never silently shown the first one;
- `family_clause(model, ids)`: the SQL condition of `model`'s rows that belong to `ids`
  (default: the current user's families); a model that is neither owned by a family nor
  public reference data is refused entirely (deny by default);
- `children_of(user)` / `children_query(ids)`: the children of the families;
- `owned(model, pk)`: the row if it belongs to the current user's families, else None.

Every parent page, API and command goes through these: FAB views and APIs through
`FamilyScopeFilter` and `ParentScopeMixin` (app/views/base.py), hand-written pages and the
services by calling them with explicit family ids.

Which parent page shows what, for a guardian of two families: side by side (every
household, each labelled) — Accueil, Finances, Alertes, Mes demandes and the history lists;
one household with the switch — Mes réservations (planning), Inscriptions, Mon compte,
Mes documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import g, has_request_context, session
from flask_appbuilder.models.filters import BaseFilter
from flask_login import current_user
from sqlalchemy import false, select
from sqlalchemy.sql.elements import ColumnElement

from .. import models as m
from ..extensions import db

#: Session key of the family a guardian of several families chose with the switch.
CHOSEN_FAMILY = "portal_family"

# Reference data every parent may read (never write) in dropdowns.
PUBLIC_REFERENCE_MODELS: tuple[type, ...] = (
    m.School,
    m.Service,
    m.SchoolYear,
    m.DocumentType,
)


def family_ids_of(user) -> list[int]:
    """Ids of the families `user` is a guardian of (none for staff or anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(m.Guardian.family_id).where(m.Guardian.user_id == user.id)
        .order_by(m.Guardian.family_id)))


def current_family_ids() -> list[int]:
    """Ids of the families the logged-in user is a guardian of (cached per request)."""
    cached = g.get("_portal_family_ids")
    if cached is None:
        cached = family_ids_of(current_user) if current_user else []
        g._portal_family_ids = cached
    return cached


def current_family_id() -> int | None:
    """The family a single-household page acts for: the guardian's choice (switch), else
    the first. Marks the request so that the page shows the switch."""
    ids = current_family_ids()
    if not ids:
        return None
    g._portal_one_family = True
    chosen = session.get(CHOSEN_FAMILY) if has_request_context() else None
    return chosen if chosen in ids else ids[0]


def choose_family(family_id: int | None) -> bool:
    """Remember the family the guardian acts for; False (nothing changed) when it is not
    one of theirs."""
    if family_id not in current_family_ids():
        return False
    session[CHOSEN_FAMILY] = family_id
    return True


def family_switch() -> dict | None:
    """What the switch shows (families, the active one) on a single-household page of a
    guardian of several families; None otherwise."""
    if not g.get("_portal_one_family") or len(current_family_ids()) < 2:
        return None
    families = db.session.execute(
        select(m.Family.id, m.Family.name).where(m.Family.id.in_(current_family_ids()))
        .order_by(m.Family.name, m.Family.id)).all()
    return {"families": families, "active": current_family_id()}


def _children_of(ids: Iterable[int]):
    return select(m.family_child.c.child_id).where(m.family_child.c.family_id.in_(ids))


_CLAUSES: dict[type, Callable[[list[int]], ColumnElement]] = {
    m.Family: lambda ids: m.Family.id.in_(ids),
    m.Child: lambda ids: m.Child.id.in_(_children_of(ids)),
    m.AuthorizedPerson: lambda ids: m.AuthorizedPerson.child_id.in_(_children_of(ids)),
}


def is_family_owned(model: type) -> bool:
    return model in _CLAUSES or hasattr(model, "family_id")


def family_clause(model: type, family_ids: Iterable[int] | None = None) -> ColumnElement:
    """SQL condition selecting the rows of `model` that belong to `family_ids`
    (default: the current user's families)."""
    ids = list(current_family_ids() if family_ids is None else family_ids)
    if not ids:
        return false()
    if model in _CLAUSES:
        return _CLAUSES[model](ids)
    if hasattr(model, "family_id"):
        return model.family_id.in_(ids)
    if model in PUBLIC_REFERENCE_MODELS:
        raise TypeError(f"{model.__name__} is reference data, not family data")
    return false()


def children_query(family_ids: Iterable[int]):
    """The families' children (a child of two families once), by first name."""
    return (select(m.Child).where(family_clause(m.Child, family_ids))
            .order_by(m.Child.first_name, m.Child.id))


def children_of(user=None, family_ids: Iterable[int] | None = None,
                options: Iterable = ()) -> list[m.Child]:
    """The children of `user`'s families (default: the current user's), or of
    `family_ids`; `options`: loader options (e.g. the school)."""
    if family_ids is None:
        family_ids = current_family_ids() if user is None else family_ids_of(user)
    return list(db.session.scalars(children_query(family_ids).options(*options)))


def owned(model: type, pk, family_ids: Iterable[int] | None = None):
    """The `model` row `pk` if it belongs to `family_ids` (default: the current user's
    families), else None (the caller answers 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return db.session.scalars(
        select(model).where(model.id == pk, family_clause(model, family_ids))).first()


class FamilyScopeFilter(BaseFilter):
    """FAB filter restricting a query to the current user's families."""

    name = "Famille"
    arg_name = None

    def apply(self, query, value):
        model = self.model
        if model in PUBLIC_REFERENCE_MODELS:
            return query
        return query.filter(family_clause(model))


def scope_filters() -> list[list]:
    """`base_filters` / query_rel_fields entry for FAB views and APIs."""
    return [["id", FamilyScopeFilter, None]]
