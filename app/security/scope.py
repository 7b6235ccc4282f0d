"""Family scope: which rows of each model belong to the logged-in parent's families.

Every parent-facing view, API, dropdown and download goes through `family_clause`, so a
parent can never reach another family's rows. A model that is neither owned by a family
nor public reference data is refused entirely (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, select
from sqlalchemy.sql.elements import ColumnElement

from .. import models as m
from .manager import current_family_ids

# Reference data every parent may read (never write) in dropdowns.
PUBLIC_REFERENCE_MODELS: tuple[type, ...] = (
    m.School,
    m.Service,
    m.SchoolYear,
    m.DocumentType,
)


def _children_of(ids: Iterable[int]):
    return select(m.family_child.c.child_id).where(m.family_child.c.family_id.in_(ids))


def _invoices_of(ids: Iterable[int]):
    return select(m.Invoice.id).where(m.Invoice.family_id.in_(ids))


_CLAUSES: dict[type, Callable[[list[int]], ColumnElement]] = {
    m.Family: lambda ids: m.Family.id.in_(ids),
    m.Child: lambda ids: m.Child.id.in_(_children_of(ids)),
    m.AuthorizedPerson: lambda ids: m.AuthorizedPerson.child_id.in_(_children_of(ids)),
    m.InvoiceLine: lambda ids: m.InvoiceLine.invoice_id.in_(_invoices_of(ids)),
}


def is_family_owned(model: type) -> bool:
    return model in _CLAUSES or hasattr(model, "family_id")


def family_clause(model: type, family_ids: list[int] | None = None) -> ColumnElement:
    """SQL condition selecting the rows of `model` that belong to `family_ids`
    (default: the current user's families)."""
    ids = current_family_ids() if family_ids is None else family_ids
    if not ids:
        return false()
    if model in _CLAUSES:
        return _CLAUSES[model](ids)
    if hasattr(model, "family_id"):
        return model.family_id.in_(ids)
    if model in PUBLIC_REFERENCE_MODELS:
        raise TypeError(f"{model.__name__} is reference data, not family data")
    return false()


def belongs_to_current_family(item) -> bool:
    from ..extensions import db

    model = type(item)
    pk = model.id
    return db.session.query(pk).filter(pk == item.id, family_clause(model)).first() is not None


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
