"""Back office home (tableau de bord), by role: the day's children per school and service
against capacity, pending requests by age, documents to review, declared absences, and for
managers the unpaid total past due and this month's bookings against last year's; each
figure links to its filtered list (queries in app.services.dashboard.queries)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import format_date, to_user_timezone
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from ...models import DocumentState, RequestKind, RequestState
from ...services.calendar import local_now, local_today
from ...services.dashboard import queries
from ...services.money import euros
from ..home import list_url


def long_date(day: dt.date) -> str:
    text = format_date(day, "full")
    return text[:1].upper() + text[1:]


def filtered_list(view_name: str, *conditions: tuple[str, str, str]) -> str | None:
    """URL of a FAB list with FAB's own search filters: (column, filter kind — "eq", "gt",
    "lt", "rel_o_m" — value); None when the user may not list it."""
    appbuilder = current_app.appbuilder
    view = next((v for v in appbuilder.baseviews if type(v).__name__ == view_name), None)
    if view is None or not appbuilder.sm.has_access("can_list", view_name):
        return None
    searchable = view._filters.get_search_filters()
    args = {}
    for column, kind, value in conditions:
        for index, flt in enumerate(searchable.get(column, [])):
            if flt.arg_name == kind:
                args[f"_flt_{index}_{column}"] = value
                break
    try:
        return url_for(f"{view.endpoint}.list", **args)
    except BuildError:
        return None


def _when(value: dt.datetime) -> str:
    """A stored UTC moment on the town's clock: 26/11/2026 09:15."""
    return to_user_timezone(value).strftime("%d/%m/%Y %H:%M")


def _month_label(day: dt.date) -> str:
    return format_date(day, "MMMM y")


def _may(permission: str, view_name: str) -> bool:
    return current_app.appbuilder.sm.has_access(permission, view_name)


def _expected_rows(today: dt.date) -> list[dict]:
    rows = []
    for row in queries.expected_today(today):
        url = filtered_list("StaffBookingView", ("day", "eq", today.isoformat()),
                            ("school", "rel_o_m", str(row.school_id)),
                            ("service", "rel_o_m", str(row.service_id)))
        rows.append({"row": row, "url": url})
    return rows


def _manager_figures(today: dt.date) -> dict:
    """The unpaid total and the month's bookings (managers: finances and statistics)."""
    figures: dict = {}
    if _may("can_list", "FinanceUnpaidView"):
        figures["unpaid"] = queries.unpaid_past_due(today)
        figures["unpaid_url"] = url_for("FinanceUnpaidView.list")
    if _may("can_index", "FinanceStatisticsView"):
        month = queries.month_bookings(today)
        figures["month"] = month
        figures["month_url"] = filtered_list(
            "StaffBookingView", ("day", "gt", (month.start - dt.timedelta(days=1)).isoformat()),
            ("day", "lt", (month.end + dt.timedelta(days=1)).isoformat()))
        figures["statistics_url"] = url_for("FinanceStatisticsView.index")
    return figures


class StaffHomeView(BaseView):
    route_base = "/gestion"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        today = local_today()
        pending = RequestState.pending.value
        links = {
            "requests": list_url("StaffRequestQueueView")
            or list_url("StaffRequestView", state=pending),
            "documents": list_url("StaffFamilyDocumentView", state=DocumentState.pending.value),
            "absences": list_url("StaffRequestView", state=pending,
                                 kind=RequestKind.absence.value),
            "bookings": list_url("StaffBookingView", day=today.isoformat()),
            "families": list_url("StaffFamilyView"),
        }
        return self.render_template(
            "staff/home.html",
            today=today,
            today_label=long_date(today),
            counts=queries.work_counts(today),
            ages=queries.pending_requests_by_age(local_now()),
            oldest=queries.oldest_pending(),
            expected=_expected_rows(today),
            manager=_manager_figures(today),
            links=links,
            euros=euros,
            when=_when,
            month_label=_month_label,
        )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffHomeView())
    appbuilder.add_link(
        "StaffHome", label=_l("Tableau de bord"), href="/gestion/", category="Accueil",
        category_label=_l("Accueil"),
    )
