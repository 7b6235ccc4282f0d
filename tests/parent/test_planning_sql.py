"""The planning page costs the same number of SQL statements for 1 child and 1 service as
for 3 children × 2 services with bookings on many days (no query per row or per cell)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Closure
from tests import factories as f

from .planning_data import (
    fixed_now,  # noqa: F401  (the fixture, used below)
    planning_town,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

MONTH = "/famille/planning/2026-12"
STATES = (BookingState.booked, BookingState.pending, BookingState.modification,
          BookingState.cancellation, BookingState.waiting)


def _book_month(fam, services) -> None:
    day = dt.date(2026, 12, 1)
    for n, kid in enumerate(fam.children):
        for service in services:
            for offset in range(0, 18):
                current = day + dt.timedelta(days=offset)
                if current.weekday() in (2, 5, 6):
                    continue
                db.session.add(Booking(family=fam, child=kid, service=service,
                                       school_id=kid.school_id, day=current,
                                       state=STATES[(offset + n) % len(STATES)],
                                       note="Départ 16h30" if offset % 4 == 0 else None))
    db.session.commit()


def _statements(app, client, count_queries, username: str) -> int:
    f.login(client, username)
    assert client.get(MONTH).status_code == 200  # warm caches (permissions, menu, calendar)
    with count_queries() as counter:
        response = client.get(MONTH)
    assert response.status_code == 200
    client.get("/logout/")
    return counter.count


def test_planning_cost_does_not_grow_with_children_services_or_bookings(
    app, client, count_queries
):
    with app.app_context():
        school, [canteen], [small] = planning_town()
        db.session.add(Closure(start_date=dt.date(2026, 12, 11), end_date=dt.date(2026, 12, 11),
                               school_id=school.id, reason="Grève"))
        db.session.commit()
        _book_month(small, [canteen])
        big = f.family("Grand", school, children=3, username="grand")
        care = f.service(code="soir", schools=[school])
        from app.models import Enrolment, EnrolmentState

        for kid in big.children:
            for service in (canteen, care):
                db.session.add(Enrolment(family=big, child=kid, service=service, school=school,
                                         school_year=f.school_year(),
                                         state=EnrolmentState.validated))
        db.session.commit()
        _book_month(big, [canteen, care])
    small_count = _statements(app, client, count_queries, "parent0")
    big_count = _statements(app, client, count_queries, "grand")
    print(f"planning page: {small_count} vs {big_count} SQL statements")
    assert big_count == small_count, (small_count, big_count)
    assert small_count <= 10, small_count  # issue 13's goal (13 before it)


def test_published_menus_add_two_statements_whatever_the_month_holds(
    app, client, count_queries
):
    """The kitchens of the children's schools are looked up anyway; published menus add the
    month's menus with their dishes (one joined statement) and the children's declared
    allergens: 2 more, not one per menu, dish or child."""
    from tests.menus import builders as menus

    with app.app_context():
        school, [canteen], [small] = planning_town()
        _book_month(small, [canteen])
        school_id, child_id = school.id, small.children[0].id
    bare = _statements(app, client, count_queries, "parent0")
    with app.app_context():
        school = db.session.get(type(school), school_id)
        kitchen = menus.kitchen([school])
        for offset in range(0, 18):
            day = dt.date(2026, 12, 1) + dt.timedelta(days=offset)
            if day.weekday() < 5 and day.weekday() != 2:
                menus.menu(kitchen, day, [("entree", "Carottes râpées"),
                                          ("plat", "Poisson pané", "poisson,gluten"),
                                          ("dessert", "Yaourt", "lait")],
                           publish_on=dt.date(2026, 11, 20))
        menus.declare(db.session.get(type(small.children[0]), child_id), "lait")
    with_menus = _statements(app, client, count_queries, "parent0")
    assert with_menus == bare + 2, (bare, with_menus)
