"""Menus de la cantine (parent space): the week's published menus of the kitchens serving
the family's children, each dish a child eats marked with that child's declared allergens
in words, the child's diet alternative, and the EGalim shares of the month."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Child, DishLabel
from ...security.scope import family_clause
from ...services.calendar import local_today
from ...services.menus.egalim import egalim_table
from ...services.menus.week import family_week, week_monday


def family_children() -> list[Child]:
    return (
        db.session.query(Child).options(joinedload(Child.school))
        .filter(family_clause(Child)).order_by(Child.first_name, Child.id).all()
    )


def _monday(value: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return week_monday(day)


class ParentMenuView(BaseView):
    route_base = "/famille/menus"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        today = local_today()
        monday = _monday(request.args.get("semaine"), today)
        weeks = family_week(family_children(), monday, today)
        month = (monday + dt.timedelta(days=3)).replace(day=1)  # the month of the week's Thursday
        month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        egalim = egalim_table([w.kitchen for w in weeks], month, month_end, today)
        return self.render_template(
            "parent/menus.html", weeks=weeks, monday=monday, today=today,
            previous=monday - dt.timedelta(days=7), following=monday + dt.timedelta(days=7),
            egalim=egalim, month=month, labels=list(DishLabel),
        )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentMenuView, "ParentMenus", label=_l("Menus de la cantine"),
                        category="ParentBookings", category_label=_l("Mes réservations"))
