"""Base classes for every FAB view of the portal.

- `PortalInterface`: FAB's SQLAlchemy interface that eager-loads the relations a list shows,
  so a list page costs the same number of SQL statements for 10 rows or 10,000.
- `StaffModelView`: back-office views (French labels, CSV export of the filtered list).
- `ParentModelView` / `ParentModelRestApi`: parent-space views, scoped to the user's
  families at every FAB entry point (list, show, edit, delete, search dropdowns, form
  dropdowns, actions, downloads, related views, REST).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.views import expose
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import BadRequest

from ..fab_fixes import checked_order
from ..security.scope import (
    PUBLIC_REFERENCE_MODELS,
    is_family_owned,
    scope_filters,
)
from ..services.errors import CommandError
from ..services.exports.jobs import ExportTable, list_args, plan_export
from ..services.exports.writers import Column, Kind
from .exports import csv_response, xlsx_response


class BoundedCount(int):
    """A list's row count, counted up to a cap (`SELECT count(*) FROM (SELECT id … LIMIT
    cap + 1)`): cheap on a table of millions; past the cap it reads « plus de 10 000 »."""

    cap: int = 0

    def __new__(cls, value: int, cap: int):
        count = super().__new__(cls, value)
        count.cap = cap
        return count

    @property
    def capped(self) -> bool:
        return int(self) > self.cap

    def __str__(self) -> str:
        if not self.capped:
            return int.__str__(self)
        return _("plus de %(count)s", count=f"{self.cap:,}".replace(",", "\u202f"))

    def __html__(self) -> str:
        return str(escape(str(self)))


class PortalInterface(SQLAInterface):
    """Adds `selectinload` of the given relation paths to every list query; counts rows up
    to PORTAL_LIST_COUNT_CAP only."""

    def __init__(self, obj, session=None, eager: tuple[str, ...] = ()):
        super().__init__(obj, session=session)
        self.eager = tuple(eager)

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(self._loader(path) for path in self.eager))

    def query_count(self, query, filters=None, select_columns=None) -> int:
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        cap = int(current_app.config.get("PORTAL_LIST_COUNT_CAP") or 0)
        if cap <= 0:
            return inner.count()
        key = sa_inspect(self.obj).primary_key[0]
        return BoundedCount(inner.with_entities(key).order_by(None).limit(cap + 1).count(), cap)

    def _loader(self, path: str):
        """Many-to-one hops are joined into the page's own query (no row multiplication
        under LIMIT, one statement fewer each); collections are loaded by `selectinload`."""
        model, loader, joined = self.obj, None, True
        for name in path.split("."):
            attr = getattr(model, name)
            joined = joined and not attr.property.uselist
            make = joinedload if joined else selectinload
            loader = make(attr) if loader is None else getattr(loader, make.__name__)(attr)
            model = attr.property.mapper.class_
        return loader


def relations_shown(datamodel: SQLAInterface, columns: list[str]) -> tuple[str, ...]:
    """Relation paths a list displays (plain relation columns and dotted columns)."""
    paths: list[str] = []
    for column in columns:
        root = column.split(".")[0]
        if datamodel.is_relation(root) and root not in paths:
            paths.append(root)
    return tuple(paths)


class EagerListMixin:
    """Use PortalInterface with eager loading of what list_columns shows."""

    list_eager: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        extra = relations_shown(self.datamodel, list(self.list_columns))
        eager = tuple(dict.fromkeys((*extra, *self.list_eager)))
        self.datamodel = _with_eager(self.datamodel, eager)


def _with_eager(datamodel: SQLAInterface, eager: tuple[str, ...]) -> PortalInterface:
    if isinstance(datamodel, PortalInterface):
        datamodel.eager = eager
        return datamodel
    return PortalInterface(datamodel.obj, session=datamodel.session, eager=eager)


class StaffModelView(EagerListMixin, ModelView):
    """Back office view. Exports of the current filtered list, in its current order, at
    `<view>/csv` (streamed) and `<view>/xlsx` (typed cells): the view's `export_spec`
    (app/services/exports/catalogue.py) when it has one, else its list columns."""

    page_size = 25
    csv_columns: list[str] | None = None
    export_spec = None

    @expose("/csv")
    @has_access
    def csv(self):
        return self._export_answer("csv")

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        return self._export_answer("xlsx")

    def _export_answer(self, fmt: str):
        """The file at once, or, above PORTAL_EXPORT_JOB_ROWS, the job that writes it."""
        back = url_for(f"{type(self).__name__}.list")
        name = type(self).__name__
        try:
            job = plan_export(name, fmt, list_args(request.args.items(multi=True), name),
                              self._export_query(self._plain_interface()),
                              user_id=getattr(g.user, "id", None), locale=str(get_locale()))
        except CommandError as exc:
            flash(exc.message, "warning")
            return redirect(back)
        if job is not None:
            flash(_("L'export de %(count)s lignes est préparé en arrière-plan : suivez son "
                    "avancement ici, puis téléchargez le fichier.",
                    count=f"{int((job.params or {}).get('rows') or 0):,}"
                    .replace(",", "\u202f")), "info")
            return redirect(url_for("StaffJobView.show", pk=job.id))
        table = self.export_table()
        if fmt == "csv":
            return csv_response(table.name, table.columns, table.rows)
        return xlsx_response(table.name, table.title, table.columns, table.rows, back)

    def export_table(self, args: list[tuple[str, str]] | None = None) -> ExportTable:
        """The export of the list as the current request filters and orders it, or, for a
        background job, as the query-string arguments `args` saved from that request."""
        if args is not None:
            with current_app.test_request_context(query_string=urlencode(args)):
                return self.export_table()
        columns, rows = self._export()
        title = self.export_spec.title if self.export_spec else self.list_title
        return ExportTable(self._export_name(), title or self._export_name(), columns, rows)

    def _export_name(self) -> str:
        if self.export_spec is not None:
            return self.export_spec.name
        return (self.route_base or type(self).__name__).rstrip("/").rsplit("/", 1)[-1]

    def _plain_interface(self) -> SQLAInterface:
        """FAB's own interface: no eager loading of whole objects, columns only."""
        return SQLAInterface(self.datamodel.obj, session=self.datamodel.session)

    def _export_query(self, datamodel):
        """The list's query: its current FAB filters (and base filters), its order. The
        filters are parsed into a copy (a job's thread never races a request's)."""
        own = copy.copy(self._filters)
        get_filter_args(own)
        order_column, order_direction = checked_order(
            self, *get_order_args().get(self.__class__.__name__, ("", ""))
        )
        filters = own.get_joined_filters(self._base_filters)
        query = self.datamodel.session.query(self.datamodel.obj)
        return datamodel.apply_all(query, filters, order_column, order_direction)

    def _export(self) -> tuple[list[Column], Iterator[tuple]]:
        if self.export_spec is not None:
            query = self._export_query(self._plain_interface())
            return self.export_spec.columns(), self.export_spec.rows(query)
        names = self.csv_columns or list(self.list_columns)
        columns = [self._export_column(name) for name in names]
        query = self._export_query(self.datamodel)
        return columns, self._item_rows(query, names)

    def _item_rows(self, query, names: list[str]) -> Iterator[tuple]:
        """ORM rows 500 at a time; the result is closed however the reading ends (its
        connection goes back to the pool even when the download is cut short)."""
        result = self.datamodel.session.execute(query.statement,
                                                execution_options={"yield_per": 500})
        try:
            for item in result.scalars():
                yield tuple(self._csv_cell(item, n) for n in names)
        finally:
            result.close()

    def _export_column(self, name: str) -> Column:
        label = self.label_columns.get(name, name)
        model, custom = self.datamodel, name in self.formatters_columns
        if "." in name or custom and name not in getattr(self, "_display_only", ()):
            return Column(label)
        for check, kind in ((model.is_datetime, Kind.datetime), (model.is_date, Kind.date),
                            (model.is_boolean, Kind.boolean), (model.is_numeric, Kind.money),
                            (model.is_integer, Kind.integer)):
            if not model.is_relation(name) and check(name):
                return Column(label, kind)
        return Column(label)

    def _csv_cell(self, item, column: str):
        value = item
        for part in column.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value):
                value = value()
        formatter = self.formatters_columns.get(column)
        if formatter:
            return formatter(value)
        if isinstance(value, list | tuple | set):
            return ", ".join(str(v) for v in value)
        if value is None or isinstance(value, str | int | Decimal | dt.date | bool):
            return value
        return str(value)


class ParentScopeMixin:
    """Scope every FAB entry point of a parent view to the user's families."""

    def __init__(self, **kwargs):
        model = self.datamodel.obj
        if not is_family_owned(model):
            raise TypeError(f"{type(self).__name__}: {model.__name__} is not family data")
        self.base_filters = [*(self.base_filters or []), *scope_filters()]
        self._scope_related_fields()
        super().__init__(**kwargs)
        for related in getattr(self, "related_views", None) or []:
            if not issubclass(
                related if isinstance(related, type) else type(related), ParentScopeMixin
            ):
                raise TypeError(f"{type(self).__name__}: related view {related} is not scoped")

    def _scope_related_fields(self) -> None:
        """Dropdowns (search, add, edit; FAB lists every row by default) show only the
        family's rows; reference data (schools, services) stays whole."""
        for attr in self._rel_field_attributes:
            scoped = dict(getattr(self, attr, None) or {})
            for column in self.datamodel.get_columns_list():
                if not self.datamodel.is_relation(column):
                    continue
                related = self.datamodel.get_related_model(column)
                if related in PUBLIC_REFERENCE_MODELS:
                    continue
                scoped[column] = [*scoped.get(column, []), *scope_filters()]
            setattr(self, attr, scoped)


class ParentModelView(ParentScopeMixin, EagerListMixin, ModelView):
    """Parent-space FAB view. Nothing here can reach another family's rows."""

    _rel_field_attributes = (
        "search_form_query_rel_fields",
        "add_form_query_rel_fields",
        "edit_form_query_rel_fields",
    )
    page_size = 20

    @expose("/download/<string:filename>")
    def download(self, filename):
        # FAB serves any uploaded file here; family files go through the documents
        # rubrique, which checks ownership.
        abort(404)

    # Every parent FAB view is read-only (base_permissions list/show): parents change
    # their data through the commands of « Mon compte », never through FAB forms.


class ParentModelRestApi(ParentScopeMixin, ModelRestApi):
    """Parent REST API on the browser session, scoped like ParentModelView."""

    _rel_field_attributes = ("add_query_rel_fields", "edit_query_rel_fields")
    allow_browser_login = True
    # Authenticated by the browser session: writes need the CSRF token (FAB exempts APIs).
    csrf_exempt = False
    page_size = 20
    max_page_size = 100

    def _sanitize_page_args(self, page, page_size):
        """FAB turns a page_size below 1 into its maximum (every row): refuse it instead."""
        if page is not None and not (isinstance(page, int) and page >= 0):
            raise ApiArgumentRefused(_("Le numéro de page doit être un entier positif ou nul."))
        if page_size is not None and not (
            isinstance(page_size, int) and 1 <= page_size <= self.max_page_size
        ):
            raise ApiArgumentRefused(
                _("La taille de page doit être comprise entre 1 et %(max)d.",
                  max=self.max_page_size)
            )
        return super()._sanitize_page_args(page, page_size)


class ApiArgumentRefused(BadRequest):
    """A refused REST argument: FAB's @safe answers 400 with str(exc) as the message."""

    def __init__(self, message: str):
        super().__init__(description=message)

    def __str__(self) -> str:
        return str(self.description)
