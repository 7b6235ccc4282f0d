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

from flask import abort, request
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.views import ModelView


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
