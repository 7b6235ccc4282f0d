"""Back office home: the day's figures and the work waiting for staff (two queries, in
app.services.reservations.queries)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ...models import (
    DocumentState,
    RequestState,
)
from ...services.calendar import local_today
from ...services.reservations.queries import bookings_of_day, pending_counts
from ..home import list_url


def long_date(day: dt.date) -> str:
    text = format_date(day, "full")
    return text[:1].upper() + text[1:]


class StaffHomeView(BaseView):
    route_base = "/gestion"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        today = local_today()
        counts = pending_counts()
        links = {
            "requests": list_url("StaffRequestQueueView")
            or list_url("StaffRequestView", state=RequestState.pending.value),
            "documents": list_url("StaffFamilyDocumentView", state=DocumentState.pending.value),
            "bookings": list_url("StaffBookingView", day=today.isoformat()),
            "families": list_url("StaffFamilyView"),
        }
        return self.render_template(
            "staff/home.html",
            today=today,
            today_label=long_date(today),
            counts=counts,
            bookings=bookings_of_day(today),
            links=links,
        )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(StaffHomeView())
    appbuilder.add_link(
        "StaffHome", label=_l("Tableau de bord"), href="/gestion/", category="Accueil",
        category_label=_l("Accueil"),
    )
