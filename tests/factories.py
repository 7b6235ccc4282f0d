"""Small builders for test data. Each returns committed rows; names are unique per call."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from flask import current_app

from app.extensions import db
from app.models import (
    Alert,
    Booking,
    BookingState,
    Child,
    Enrolment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    Request,
    RequestKind,
    School,
    SchoolYear,
    Service,
    ServiceCapacity,
    ServiceKind,
)
from app.security.roles import PARENT

_seq = itertools.count(1)
PASSWORD = "Motdepasse-Test-2026"


def school(name: str | None = None) -> School:
    row = School(name=name or f"École {next(_seq)}", city="Saint-Père")
    db.session.add(row)
    db.session.commit()
    return row


def school_year(label: str = "2026-2027") -> SchoolYear:
    row = db.session.query(SchoolYear).filter_by(label=label).first()
    if row is None:
        row = SchoolYear(
            label=label,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2027, 7, 3),
            zone="B",
            closed_weekdays="256",
        )
        db.session.add(row)
        db.session.commit()
    return row


def service(code: str | None = None, kind: str = ServiceKind.canteen, capacity: int = 100,
            schools: list[School] | None = None) -> Service:
    n = next(_seq)
    row = Service(
        code=code or f"svc{n}",
        name=f"Service {n}",
        kind=kind,
        is_childcare=kind != ServiceKind.canteen,
        booking_deadline_time=dt.time(10, 0),
        cancel_deadline_time=dt.time(10, 0),
    )
    db.session.add(row)
    for sch in schools or []:
        db.session.add(ServiceCapacity(service=row, school=sch, capacity=capacity))
    db.session.commit()
    return row


def user(username: str, role_name: str, email: str | None = None):
    sm = current_app.appbuilder.sm
    role = sm.find_role(role_name)
    created = sm.add_user(
        username, username.capitalize(), "Test", email or f"{username}@example.org", role,
        password=PASSWORD,
    )
    assert created, f"user {username} not created"
    return created


def family(name: str, school_row: School, children: int = 1, username: str | None = None,
           marker: str | None = None) -> Family:
    """A family with one guardian login (username) and `children` children.
    `marker` is written into every name so a test can spot a leak of this family's data."""
    marker = marker or name
    n = next(_seq)
    fam = Family(account_code=f"F{n:05d}", name=f"Famille {marker}", city="Saint-Père",
                 email=f"{marker.lower()}@example.org", phone="0299000000",
                 address=f"{n} rue {marker}")
    db.session.add(fam)
    for i in range(children):
        kid = Child(first_name=f"{marker}Enfant{i}", last_name=marker,
                    birth_date=dt.date(2019, 3, 1 + i), school=school_row, class_name="CP",
                    allergies=f"Allergie {marker}")
        fam.children.append(kid)
    if username:
        login = user(username, PARENT)
        db.session.add(Guardian(family=fam, user_id=login.id, first_name=f"{marker}Parent",
                                last_name=marker, email=login.email))
    db.session.commit()
    return fam


def booking(fam: Family, kid: Child, svc: Service, day: dt.date,
            state: str = BookingState.booked) -> Booking:
    row = Booking(family=fam, child=kid, service=svc, school_id=kid.school_id, day=day, state=state)
    db.session.add(row)
    db.session.commit()
    return row


def enrolment(fam: Family, kid: Child, svc: Service) -> Enrolment:
    row = Enrolment(family=fam, child=kid, service=svc, school_id=kid.school_id,
                    school_year=school_year())
    db.session.add(row)
    db.session.commit()
    return row


def request_row(fam: Family, kid: Child | None = None, summary: str | None = None) -> Request:
    row = Request(family=fam, child=kid, kind=RequestKind.booking,
                  summary=summary or f"Demande {fam.name}")
    db.session.add(row)
    db.session.commit()
    return row


def alert(fam: Family, title: str | None = None) -> Alert:
    row = Alert(family=fam, title=title or f"Alerte {fam.name}", message="Message")
    db.session.add(row)
    db.session.commit()
    return row


def invoice(fam: Family, kid: Child, svc: Service, number: str | None = None,
            period: dt.date = dt.date(2026, 9, 1)) -> Invoice:
    n = next(_seq)
    inv = Invoice(number=number or f"FAC-2026-{n:06d}", family=fam, period_start=period,
                  issued_on=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 31),
                  total=Decimal("70.55"))
    inv.lines.append(InvoiceLine(child=kid, service=svc, label=f"{kid} — {svc}", quantity=17,
                                 unit_price=Decimal("4.15"), amount=Decimal("70.55")))
    db.session.add(inv)
    db.session.commit()
    return inv


def payment(fam: Family, inv: Invoice | None = None) -> Payment:
    row = Payment(family=fam, invoice=inv, amount=Decimal("10.00"), method="cheque",
                  received_on=dt.date(2026, 10, 5), reference=f"CHQ {fam.name}")
    db.session.add(row)
    db.session.commit()
    return row


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code in (302, 303), response.status_code
    return response
