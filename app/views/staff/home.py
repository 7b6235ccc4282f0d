"""Back office home: the day's figures and the work waiting for staff (two queries)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import (
    Booking,
    DocumentState,
    FamilyDocument,
    Request,
    RequestState,
    School,
    Service,
    ServiceCapacity,
)
from ...models.booking import SEAT_HOLDING_STATES
from ...services.calendar import local_today
from ..home import list_url


def pending_counts() -> dict[str, int]:
    """Requests and family documents waiting for a decision, in one statement."""
    requests = select(func.count(Request.id)).where(Request.state == RequestState.pending)
    documents = select(func.count(FamilyDocument.id)).where(
        FamilyDocument.state == DocumentState.pending
    )
    row = db.session.execute(
        select(requests.scalar_subquery(), documents.scalar_subquery())
    ).one()
    return {"requests": row[0], "documents": row[1]}


def bookings_of_day(day: dt.date) -> list[dict]:
    """Children expected on `day` per school and service (bookings holding a seat: confirmed,
    or with a change or cancellation still waiting for staff), with the day's capacity."""
    capacity = and_(
        ServiceCapacity.service_id == Booking.service_id,
        ServiceCapacity.school_id == Booking.school_id,
    )
    rows = db.session.execute(
        select(School.name, Service.name, ServiceCapacity.capacity, func.count(Booking.id))
        .join(School, School.id == Booking.school_id)
        .join(Service, Service.id == Booking.service_id)
        .outerjoin(ServiceCapacity, capacity)
        .where(Booking.day == day, Booking.state.in_(SEAT_HOLDING_STATES))
        .group_by(School.id, School.name, Service.id, Service.name, ServiceCapacity.capacity)
        .order_by(School.name, Service.name)
    ).all()
    return [
        {"school": school, "service": service, "capacity": cap, "count": count}
        for school, service, cap, count in rows
    ]


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
