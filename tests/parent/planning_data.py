"""Data and helpers shared by the planning, enrolment and booking-API tests.

The clock is fixed with PORTAL_FIXED_NOW at Thursday 2026-11-26 09:00 (see
tests/reservations/builders.py): Monday 30/11 is still bookable at once, Friday 27/11 is past
its "J-2 working days at 10:00" deadline, Wednesdays are closed (no school)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import Booking, Enrolment, EnrolmentState, Request, ServiceKind
from tests import factories as f
from tests.reservations.builders import FRIDAY, MONDAY, NOW, town

__all__ = ["FRIDAY", "MONDAY", "NOW", "NOW_ISO", "WEDNESDAY", "fixed_now", "planning_town"]

NOW_ISO = NOW.isoformat()
WEDNESDAY = dt.date(2026, 12, 2)


@pytest.fixture
def fixed_now(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW_ISO)
    return NOW


def planning_town(children: int = 1, services: int = 1, families: int = 1):
    """School, [canteen, care…], families (logins parent0, parent1…), all enrolments
    validated for 2026-2027."""
    school, canteen, fams = town(families=families, children=children)
    all_services = [canteen]
    for n in range(1, services):
        care = f.service(code=f"garderie{n}", kind=ServiceKind.care_evening, schools=[school])
        care.name = f"Garderie du soir {n}"
        all_services.append(care)
        for fam in fams:
            for kid in fam.children:
                db.session.add(
                    Enrolment(
                        family=fam,
                        child=kid,
                        service=care,
                        school=school,
                        school_year=f.school_year(),
                        state=EnrolmentState.validated,
                    )
                )
    db.session.commit()
    return school, all_services, fams


def bookings() -> list[tuple]:
    """Every booking as (child_id, service_id, day, state, note), sorted."""
    rows = db.session.query(Booking).order_by(Booking.child_id, Booking.service_id, Booking.day)
    return [(b.child_id, b.service_id, b.day, b.state, b.note) for b in rows]


def request_count() -> int:
    return db.session.query(Request).count()


def doc(response):
    return lxml_html.document_fromstring(response.get_data(as_text=True))


CELL_XPATH = "//*[contains(concat(' ', normalize-space(@class), ' '), ' pl-cell ')]"


def cells(document) -> list:
    return document.xpath(CELL_XPATH)


def cell(document, child_id: int, service_id: int, day: dt.date):
    found = document.xpath(
        f"{CELL_XPATH}[@data-child='{child_id}'][@data-service='{service_id}']"
        f"[@data-date='{day.isoformat()}']"
    )
    assert len(found) == 1, f"{len(found)} cells for {child_id}/{service_id}/{day}"
    return found[0]
