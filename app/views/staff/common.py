"""What every back-office view shares: French display of dates, amounts, booleans and
coded states; select widgets for coded states; related tabs the user may open; the CSV
button on list pages (template staff/_list_csv.html)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import g
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import Time
from wtforms import BooleanField, DecimalField, SelectField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional

from ...extensions import db
from ...services.money import euros
from ..base import StaffModelView
from ..formatters import enum_label, french_date

#: Routes a read-only view keeps (an issued invoice is never edited).
READ_ONLY_ROUTES = {"list", "show", "csv", "xlsx"}


def enum_field(enum, label, required: bool = True) -> SelectField:
    """A select of the French labels, storing the code. Labels stay lazy: translated
    at rendering, in the user's language."""
    choices: list[tuple[str, Any]] = [(m.value, enum.LABELS[m]) for m in enum]
    if not required:
        choices.insert(0, ("", "—"))
    return SelectField(
        label,
        choices=choices,
        widget=Select2Widget(),
        validators=[DataRequired()] if required else [Optional()],
        filters=[lambda value: value or None] if not required else [],
    )


class FrenchDecimalField(DecimalField):
    """An amount typed the French way: "4,15" (or "4.15")."""

    def process_formdata(self, valuelist):
        cleaned = [v.replace("\u202f", "").replace(" ", "").replace(",", ".") for v in valuelist]
        super().process_formdata(cleaned)

    def _value(self) -> str:
        return super()._value().replace(".", ",")


def reject(message: Any) -> None:
    """Refuse a form: FAB shows the message; nothing the form assigned gets saved."""
    db.session.rollback()
    raise ValueError(str(message))


def _fr_datetime(value) -> str:
    """Stored naive UTC; shown in the town's time (Europe/Paris)."""
    if isinstance(value, dt.datetime):
        return to_user_timezone(value).strftime("%d/%m/%Y %H:%M")
    return french_date(value)


def _fr_bool(value) -> str:
    if value is None:
        return ""
    return _("Oui") if value else _("Non")


def _fr_many(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(str(v) for v in value)
    return str(value)


class PortalStaffView(StaffModelView):
    """Base of every back-office view (abstract: never registered itself).

    `enum_columns` maps a coded column to its LabelledEnum: French labels in lists,
    show pages and CSV, a select in add/edit/search forms.
    """

    list_template = "staff/_list_csv.html"
    # FAB's generic download serves any uploaded file; documents have their own route.
    exclude_route_methods = {"download"}
    enum_columns: dict[str, type] = {}
    optional_enum_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        self.formatters_columns = dict(self.formatters_columns or {})
        self.add_form_extra_fields = dict(self.add_form_extra_fields or {})
        self.edit_form_extra_fields = dict(self.edit_form_extra_fields or {})
        self.search_form_extra_fields = dict(self.search_form_extra_fields or {})
        self._display_only: set[str] = set()
        self._setup_enums()
        self._setup_form_fields()
        super().__init__(**kwargs)
        self._setup_display_formatters()

    def _setup_enums(self) -> None:
        labels = self.label_columns or {}
        for column, enum in self.enum_columns.items():
            label = labels.get(column, column)
            required = column not in self.optional_enum_columns
            self.formatters_columns.setdefault(column, enum_label(enum))
            self.add_form_extra_fields.setdefault(column, enum_field(enum, label, required))
            self.edit_form_extra_fields.setdefault(column, enum_field(enum, label, required))
            self.search_form_extra_fields.setdefault(column, enum_field(enum, label, False))

    def _setup_form_fields(self) -> None:
        """Fields FAB gets wrong for French users: decimal comma, times (unsupported by
        FAB), and required booleans (FAB refuses an unchecked box)."""
        labels = self.label_columns or {}
        for attr, columns in (("add_form_extra_fields", self.add_columns),
                              ("edit_form_extra_fields", self.edit_columns)):
            extra = getattr(self, attr)
            for column in columns or []:
                if column not in extra:
                    field = self._french_field(column, labels.get(column, column))
                    if field is not None:
                        extra[column] = field

    def _french_field(self, column: str, label):
        model = self.datamodel
        sql_column = model.list_columns.get(column)
        if sql_column is None or model.is_relation(column):
            return None
        required = not model.is_nullable(column)
        checks = [InputRequired()] if required else [Optional()]
        default = model.get_col_default(column)
        if isinstance(sql_column.type, Time):
            return TimeField(label, validators=checks, format="%H:%M",
                             render_kw={"class": "form-control"})
        if model.is_numeric(column):
            return FrenchDecimalField(label, places=2, validators=checks, default=default,
                                      widget=BS3TextFieldWidget())
        if model.is_boolean(column):
            return BooleanField(label, default=default)
        return None

    def _setup_display_formatters(self) -> None:
        """Dates dd/mm/yyyy, amounts 12,50 €, Oui/Non (the CSV keeps raw French values)."""
        model = self.datamodel
        for column in dict.fromkeys([*self.list_columns, *self.show_columns]):
            if column in self.formatters_columns or "." in column:
                continue
            formatter = None
            if model.is_datetime(column):
                formatter = _fr_datetime
            elif model.is_date(column):
                formatter = french_date
            elif model.is_boolean(column):
                formatter = _fr_bool
            elif model.is_numeric(column):
                formatter = euros
            elif model.is_relation_many_to_many(column) or model.is_relation_one_to_many(column):
                formatter = _fr_many
            if formatter is not None:
                self.formatters_columns[column] = formatter
                self._display_only.add(column)

    def _fill_form_exclude_cols(self, exclude_cols, form):
        """Adding from a related tab pre-fills the relation; FAB gives a many-to-many
        field (a child's families) a single object where a list is expected."""
        super()._fill_form_exclude_cols(exclude_cols, form)
        for column in exclude_cols:
            field = getattr(form, column, None)
            if (field is not None and self.datamodel.is_relation_many_to_many(column)
                    and field.data is not None and not isinstance(field.data, list)):
                field.data = [field.data]

    def _csv_cell(self, item, column: str):
        """The typed value of a cell (a date, an amount, a boolean: the export writes it
        the French way); the text of a custom formatter (coded states' labels)."""
        if column in self._display_only:
            value = item
            for part in column.split("."):
                value = getattr(value, part, None) if value is not None else None
            if isinstance(value, Iterable) and not isinstance(value, str):
                return ", ".join(str(v) for v in value)
            return value
        return super()._csv_cell(item, column)

    # Related tabs, in declared order: only those the user may list (an agent never sees
    # credit notes).
    def _allowed_related_views(self) -> list:
        sm = self.appbuilder.sm
        declared = [cls.__name__ for cls in self.related_views]
        views = sorted(self._related_views, key=lambda v: declared.index(type(v).__name__))
        return [
            view for view in views
            if "can_list" in view.base_permissions
            and sm.has_access("can_list", view.class_permission_name)
        ]

    def _get_related_views_widgets(self, item, orders=None, pages=None, page_sizes=None,
                                   widgets=None, **args):
        widgets = widgets or {}
        widgets["related_views"] = []
        orders, pages, page_sizes = orders or {}, pages or {}, page_sizes or {}
        for view in self._allowed_related_views():
            name = view.__class__.__name__
            order_column, order_direction = orders.get(name) or ("", "")
            widgets["related_views"].append(
                self._get_related_view_widget(
                    item, view, order_column, order_direction,
                    page=pages.get(name), page_size=page_sizes.get(name),
                )
            )
        return widgets

    def render_template(self, template, **kwargs):
        if "related_views" in kwargs:
            kwargs["related_views"] = self._allowed_related_views()
        kwargs.setdefault("modelview_name", self.__class__.__name__)
        return super().render_template(template, **kwargs)

    @staticmethod
    def current_user_id() -> int | None:
        user = getattr(g, "user", None)
        return getattr(user, "id", None)


#: Labels of the columns many models share; each view adds its own.
COMMON_LABELS: dict[str, Any] = {
    "family": _l("Famille"),
    "families": _l("Familles"),
    "family.account_code": _l("N° de compte"),
    "child": _l("Enfant"),
    "service": _l("Service"),
    "school": _l("École"),
    "school_year": _l("Année scolaire"),
    "state": _l("État"),
    "created_at": _l("Créé le"),
    "updated_at": _l("Modifié le"),
    "name": _l("Nom"),
    "first_name": _l("Prénom"),
    "last_name": _l("Nom"),
    "address": _l("Adresse"),
    "postal_code": _l("Code postal"),
    "city": _l("Commune"),
    "phone": _l("Téléphone"),
    "email": _l("Courriel"),
    "active": _l("Actif"),
    "comment": _l("Commentaire"),
    "reason": _l("Motif"),
    "label": _l("Libellé"),
    "code": _l("Code"),
    "amount": _l("Montant"),
    "start_date": _l("Début"),
    "end_date": _l("Fin"),
    "valid_from": _l("Valable du"),
    "valid_to": _l("Valable jusqu'au"),
    "relationship_label": _l("Lien"),
    "invoice": _l("Facture"),
    "number": _l("Numéro"),
    "issued_on": _l("Émise le"),
    "title": _l("Titre"),
    "published_on": _l("Publié le"),
    "unpublished_on": _l("Retiré le"),
}


def labels(extra: dict[str, Any]) -> dict[str, Any]:
    """The shared labels plus the view's own (which win)."""
    return {**COMMON_LABELS, **extra}


#: Menu categories: names must match app/security/roles.py (menu_access regexes).
CATEGORIES: dict[str, tuple[Any, str]] = {
    "Familles": (_l("Familles"), "fa-users"),
    "Réservations": (_l("Réservations"), "fa-calendar"),
    "Finances": (_l("Finances"), "fa-eur"),
    "Documents": (_l("Documents"), "fa-file-text-o"),
    "Communication": (_l("Communication"), "fa-bullhorn"),
    "Paramètres": (_l("Paramètres"), "fa-cogs"),
}


def add_menu_view(appbuilder, view_class: type, label, category: str, icon: str = "") -> None:
    """Register a view under a menu category. The menu item is named after the view class
    so that the roles' `^Staff.*` / `^Finance...` menu_access rules apply to it."""
    category_label, category_icon = CATEGORIES[category]
    appbuilder.add_view(
        view_class, view_class.__name__, label=label, icon=icon, category=category,
        category_label=category_label, category_icon=category_icon,
    )
