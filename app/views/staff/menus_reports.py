"""Menu reports for managers: the EGalim shares of each kitchen over a period, and what was
ordered from the caterer against what was served (attendance)."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from ...models import DishLabel
from ...services.calendar import local_today
from ...services.menus.egalim import egalim_table
from ...services.menus.report import MAX_DAYS, ordered_vs_served
from ...services.reservations.lookup import parse_typed_day
from .menus import _kitchens, _pick_kitchen


def _date(value: str | None, default: dt.date) -> dt.date:
    return parse_typed_day(value) or default


class StaffMenuReportView(BaseView):
    route_base = "/gestion/menus/bilan"
    default_view = "report"

    @expose("/")
    @has_access
    @permission_name("list")
    def report(self):
        today = local_today()
        start = _date(request.args.get("du"), today.replace(day=1))
        end = _date(request.args.get("au"), today)
        if end < start:
            start, end = end, start
        end = min(end, start + dt.timedelta(days=MAX_DAYS))
        kitchens = _kitchens()
        kitchen = _pick_kitchen(request.args.get("cuisine"), kitchens)
        return self.render_template(
            "staff/menus_report.html", kitchens=kitchens, kitchen=kitchen, start=start,
            end=end, egalim=egalim_table(kitchens, start, end), labels=list(DishLabel),
            orders=ordered_vs_served(kitchen, start, end) if kitchen else [],
        )
