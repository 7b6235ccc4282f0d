"""A small town for reservation tests: one school year, a canteen with a capacity, families
with validated enrolments. Dates are fixed (2026-2027, zone B) so tests never depend on today."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import DeadlineKind, Enrolment, EnrolmentState, ServiceCapacity
from tests import factories as f

# Thursday 2026-11-26, 09:00: "J-2 working days at 10:00" is still open for Monday 30/11.
NOW = dt.datetime(2026, 11, 26, 9, 0)
MONDAY = dt.date(2026, 11, 30)
FRIDAY = dt.date(2026, 11, 27)  # its J-2 deadline (Wednesday 25/11 10:00) has passed


def town(capacity: int = 10, families: int = 1, children: int = 1, manual: bool = False,
         logins: bool = True):
    school = f.school("École Théodore Chalmel")
    year = f.school_year()
    canteen = f.service(code="cantine", schools=[school], capacity=capacity)
    canteen.booking_deadline_kind = DeadlineKind.working_days_before
    canteen.booking_deadline_value = 2
    canteen.cancel_deadline_kind = DeadlineKind.working_days_before
    canteen.cancel_deadline_value = 2
    canteen.manual_validation = manual
    fams = []
    for n in range(families):
        fam = f.family(f"Fam{n}", school, children=children,
                       username=f"parent{n}" if logins else None)
        for kid in fam.children:
            db.session.add(Enrolment(family=fam, child=kid, service=canteen, school=school,
                                     school_year=year, state=EnrolmentState.validated))
        fams.append(fam)
    db.session.commit()
    return school, canteen, fams


def set_capacity(service, school, seats: int) -> None:
    row = db.session.query(ServiceCapacity).filter_by(service_id=service.id,
                                                      school_id=school.id).one()
    row.capacity = seats
    db.session.commit()
