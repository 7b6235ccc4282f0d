"""Searching and sorting people's names in the back office (families, guardians, children):
« Contient » without case or accents is the first (default) filter of a name column, and
sorting by the name sorts in French order, both on the normalised `search_name` column
(app.services.search), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, not_

from ...services.search import name_contains
from ..base import PortalInterface

NAME_COLUMNS = ("name", "last_name", "first_name")


class FilterNameContains(BaseFilter):
    """« guerin » finds « Guérin », « martin » finds « Famille Martin »."""

    name = _l("Contient")
    arg_name = "ct"

    def apply(self, query, value):
        conditions = name_contains(self.model.search_name, str(value or ""))
        return query.filter(and_(*conditions)) if conditions else query


class FilterNameNotContains(FilterNameContains):
    name = _l("Ne contient pas")
    arg_name = "nct"

    def apply(self, query, value):
        conditions = name_contains(self.model.search_name, str(value or ""))
        return query.filter(not_(and_(*conditions))) if conditions else query


class NameFilterConverter(sqla_filters.SQLAFilterConverter):
    """A name column: contains (the default), starts with, equal, does not contain."""

    def convert(self, col_name):
        if col_name in NAME_COLUMNS and "search_name" in self.datamodel.list_columns:
            return [flt(col_name, self.datamodel) for flt in (
                FilterNameContains, sqla_filters.FilterStartsWith, sqla_filters.FilterEqual,
                FilterNameNotContains)]
        return super().convert(col_name)


class NameSearchInterface(PortalInterface):
    """The datamodel of the family, guardian and child lists."""

    filter_converter_class = NameFilterConverter

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column in NAME_COLUMNS and hasattr(self.obj, "search_name"):
            column = self.obj.search_name
            first = column.desc() if order_direction == "desc" else column.asc()
            return query.order_by(first, self.obj.id)
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
