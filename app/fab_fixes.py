"""Fixes to Flask-AppBuilder 5.3 behaviour, applied once at import, for every ModelView
(FAB's own security views included). Each has a test that failed before it
(tests/security/test_isolation.py).

FAB's `action` and `action_post`:
- load the rows with `datamodel.get(pk)`, ignoring the view's base filters: a row-filtered
  view (the parent space) would act on another family's rows;
- raise AttributeError (a 500) on an unknown action name, before any permission check;
- answer a refused permission with a redirect instead of 403, and accept GET mutations.
"""

from __future__ import annotations

import re

from dateutil import parser as date_parser
from flask import abort, request
from flask_appbuilder import baseviews
from flask_appbuilder import views as fab_views
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseCRUDView
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla import filters as sqla_filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.views import ModelView
from flask_babel import gettext as _
from sqlalchemy import Time


def _checked_action(view: ModelView, name: str):
    if request.method != "POST":
        abort(405)
    action = (view.actions or {}).get(name)
    if action is None:
        abort(404)
    permission = view.get_action_permission_name(name)
    if not view.appbuilder.sm.has_access(permission, view.class_permission_name):
        abort(403)
    return action


def _row_or_404(view: ModelView, pk):
    item = view.datamodel.get(view._deserialize_pk_if_composite(pk), view._base_filters)
    if item is None:
        abort(404)
    return item


def action(self, name, pk):
    checked = _checked_action(self, name)
    return checked.func(_row_or_404(self, pk))


def action_post(self):
    checked = _checked_action(self, request.form.get("action", ""))
    return checked.func([_row_or_404(self, pk) for pk in request.form.getlist("rowid")])


action._urls = ModelView.action._urls  # keep FAB's routes (expose) on the new functions
action_post._urls = ModelView.action_post._urls
ModelView.action = action
ModelView.action_post = action_post


def add_filter_index(self, column_name: str, filter_instance_index: int, value):
    # FAB raises IndexError (a 500) on a filter number the column does not have (`_flt_9_x`).
    if not 0 <= filter_instance_index < len(self._all_filters.get(column_name, [])):
        abort(400)
    return _original_add_filter_index(self, column_name, filter_instance_index, value)


_original_add_filter_index = Filters.add_filter_index
Filters.add_filter_index = add_filter_index


# --- List arguments (finding 11 of the security audit) -------------------------------------
# FAB's `page_<view>`, `psize_<view>` go through a bare int() (a 500 on "abc", an SQL
# overflow on a huge number, every row on a negative size) and `_oc_<view>` reaches the SQL
# ORDER BY unchecked (a 500 on an unknown column, or sorting by a column the view hides).
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100


def _int_args(prefix: str, low: int, high: int) -> dict[str, int]:
    values = {}
    for arg, raw in request.args.items():
        if not arg.startswith(prefix):
            continue
        try:
            value = int(raw)
        except ValueError:
            continue
        if low <= value <= high:
            values[arg.removeprefix(prefix)] = value
    return values


def safe_page_args() -> dict[str, int]:
    return _int_args("page_", 0, MAX_PAGE)


def safe_page_size_args() -> dict[str, int]:
    return _int_args("psize_", 1, MAX_PAGE_SIZE)


def checked_order(view, order_column: str, order_direction: str) -> tuple[str, str]:
    """The requested sort if the view offers it, else its default order (or none)."""
    if order_column and order_column in (view.order_columns or []) \
            and order_direction in ("asc", "desc"):
        return order_column, order_direction
    return tuple(view.base_order) if view.base_order else ("", "")


def _checked_list_widget(self, filters, actions=None, order_column="", order_direction="",
                         page=None, page_size=None, widgets=None, **kwargs):
    order_column, order_direction = checked_order(self, order_column, order_direction)
    return _original_list_widget(self, filters, actions=actions, order_column=order_column,
                                 order_direction=order_direction, page=page,
                                 page_size=page_size, widgets=widgets, **kwargs)


_original_list_widget = BaseCRUDView._get_list_widget
BaseCRUDView._get_list_widget = _checked_list_widget
for _module in (baseviews, fab_views):
    _module.get_page_args = safe_page_args
    _module.get_page_size_args = safe_page_size_args


# --- REST `_info` (finding 14) -------------------------------------------------------------
# FAB translates a missing description with gettext(""), which is the catalog's header
# ("Project-Id-Version: …"): an empty text stays empty, an empty label becomes the name.


def _field_info(self, field, filter_rel_field, page=None, page_size=None):
    info = _original_field_info(self, field, filter_rel_field, page, page_size)
    description = (self.description_columns or {}).get(field.name, "")
    label = (self.label_columns or {}).get(field.name, "")
    info["description"] = str(_(description)) if description else ""
    info["label"] = str(_(label)) if label else field.name
    return info


_original_field_info = ModelRestApi._get_field_info
ModelRestApi._get_field_info = _field_info


# --- Dates typed in a search filter ----------------------------------------------------------
# FAB reads a filter's date with dateutil month first: « 01/12/2026 » became 12 January. A
# French user writes the day first; an ISO date (the calendar's older format) stays ISO.
def _french_filter_value(datamodel, column_name, value):
    if isinstance(value, str) and (datamodel.is_date(column_name)
                                   or datamodel.is_datetime(column_name)):
        text = value.strip()
        try:
            parsed = date_parser.parse(text, dayfirst=not _ISO_START.match(text))
        except (ValueError, OverflowError):
            return None
        return parsed.date() if datamodel.is_date(column_name) else parsed
    return _original_set_value_to_type(datamodel, column_name, value)


_ISO_START = re.compile(r"^\d{4}-")
_original_set_value_to_type = sqla_filters.set_value_to_type
sqla_filters.set_value_to_type = _french_filter_value


# --- Time columns (a service's deadline hours, a slot's start and end) ----------------------
# FAB builds a filter for every column of every view's model and has none for `Time`: it
# warned « Filter type not supported for column » in English at every start (and in the
# demo's output). Equal / before / after, like a date.
def _is_time(self, col_name: str) -> bool:
    column = self.list_columns.get(col_name)
    return column is not None and isinstance(getattr(column, "type", None), Time)


SQLAInterface.is_time = _is_time
sqla_filters.SQLAFilterConverter.conversion_table = (
    ("is_time", [sqla_filters.FilterEqual, sqla_filters.FilterSmaller,
                 sqla_filters.FilterGreater]),
    *sqla_filters.SQLAFilterConverter.conversion_table,
)
