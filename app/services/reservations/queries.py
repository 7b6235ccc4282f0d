"""What the reservation pages read (no writing here): the seats of the queue's days, and for the
parents' Inscriptions page the open school years, the services offered per school and the
family's enrolments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import (
    Booking,
    Enrolment,
    Request,
    RequestState,
    SchoolYear,
    Service,
    ServiceCapacity,
)
from .capacity import seats_taken_by_day


def seats_of(bookings: Iterable[Booking]) -> dict[tuple, tuple[int, int | None]]:
    """(service, school, day) → (seats taken, capacity) for the given bookings' days, in
    two queries whatever their number."""
    keys = {(b.service_id, b.school_id, b.day) for b in bookings}
    if not keys:
        return {}
    taken = seats_taken_by_day(keys)
    services, schools = {key[0] for key in keys}, {key[1] for key in keys}
    capacities = dict(
        ((s, sc), c)
        for s, sc, c in db.session.execute(
            select(ServiceCapacity.service_id, ServiceCapacity.school_id,
                   ServiceCapacity.capacity)
            .where(ServiceCapacity.service_id.in_(services),
                   ServiceCapacity.school_id.in_(schools))
        ).all()
    )
    return {key: (taken.get(key, 0), capacities.get(key[:2])) for key in keys}


def open_school_years(today: dt.date) -> list[SchoolYear]:
    """The current and coming school years (one can enrol for September in summer)."""
    return (
        db.session.query(SchoolYear)
        .filter(SchoolYear.end_date >= today)
        .order_by(SchoolYear.start_date)
        .all()
    )


def services_offered(school_ids: set[int]) -> dict[int, list[Service]]:
    """School id → active services offered there (a capacity row means offered)."""
    if not school_ids:
        return {}
    rows = (
        db.session.query(ServiceCapacity.school_id, Service)
        .join(Service, Service.id == ServiceCapacity.service_id)
        .filter(ServiceCapacity.school_id.in_(school_ids), Service.active.is_(True))
        .order_by(Service.name, Service.id)
        .all()
    )
    offered: dict[int, list[Service]] = {}
    for school_id, service in rows:
        offered.setdefault(school_id, []).append(service)
    return offered


def family_enrolments(family_id: int) -> list[Enrolment]:
    """The family's enrolments, the latest school year first."""
    return (
        db.session.query(Enrolment)
        .options(joinedload(Enrolment.service), joinedload(Enrolment.school_year))
        .join(SchoolYear, SchoolYear.id == Enrolment.school_year_id)
        .filter(Enrolment.family_id == family_id)
        .order_by(SchoolYear.start_date.desc(), Enrolment.service_id)
        .all()
    )


def pending_enrolment_kinds(family_id: int) -> dict[int, str]:
    """Enrolment id → kind of the family's request still waiting for staff."""
    rows = db.session.query(Request.enrolment_id, Request.kind).filter(
        Request.family_id == family_id,
        Request.state == RequestState.pending,
        Request.enrolment_id.isnot(None),
    )
    return dict(rows.all())
