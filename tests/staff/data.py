"""A small town for the staff's request queue and pointage tests, on the fixed clock of
tests/reservations/builders.py: Thursday 2026-11-26 09:00 (Friday 27/11 is past its booking
deadline, Monday 30/11 is not, Wednesdays are closed)."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import (
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    ServiceCapacity,
)
from app.security.roles import AGENT
from app.services.account_changes.requests import Health, RequestHealthChange
from app.services.reservations.day import ChangeDay
from tests import factories as f
from tests.reservations.builders import FRIDAY, MONDAY, NOW, town

__all__ = ["FRIDAY", "MONDAY", "NOW", "TODAY", "TUESDAY", "WEDNESDAY", "enrolled_family",
           "late_request",
           "queue_town", "staff_client"]

TODAY = NOW.date()  # Thursday 26/11
TUESDAY = dt.date(2026, 11, 24)
WEDNESDAY = dt.date(2026, 11, 25)  # no school


def queue_town(families: int = 2, capacity: int = 10, children: int = 1):
    """A school with a canteen (families Fam0…, logins parent0…) and an agent « agent1 »."""
    school, canteen, fams = town(capacity=capacity, families=families, children=children)
    f.user("agent1", AGENT)
    return school, canteen, fams


#: Thursday 11:00: Monday 30/11's deadline (Thursday 10:00) has passed too.
LATER = NOW.replace(hour=11)


def late_request(fam, kid, service, day=FRIDAY) -> Request:
    """The parent books past the deadline (Friday 27/11, or Monday 30/11 at 11:00): a pending
    booking and its request."""
    now = LATER if day == MONDAY else NOW
    outcome = ChangeDay(fam.id, kid.id, service.id, day, "book", now=now).run()
    return db.session.get(Request, outcome.request_id)


def enrolled_family(name: str, school, service, children: int = 1, username=None):
    """A family whose children are enrolled (validated) in the service at the school."""
    fam = f.family(name, school, children=children, username=username)
    for kid in fam.children:
        db.session.add(Enrolment(family=fam, child=kid, service=service, school=school,
                                 school_year=f.school_year(), state=EnrolmentState.validated))
    db.session.commit()
    return fam


def second_school(service, capacity: int = 10):
    other = f.school("École Sainte-Thérèse")
    db.session.add(ServiceCapacity(service=service, school=other, capacity=capacity))
    db.session.commit()
    return other, enrolled_family("Autre", other, service, username="autre")


def data_change_request(fam) -> Request:
    """The parent asks to change a child's health data (validated by staff)."""
    kid = fam.children[0]
    return RequestHealthChange(fam.id, kid.id, Health(allergies="Arachide", diet="standard"),
                               None).run()


def booked(fam, kid, service, day, state=BookingState.booked) -> Booking:
    return f.booking(fam, kid, service, day, state=state)


def staff_client(client, username: str = "agent1"):
    f.login(client, username)
    return client
