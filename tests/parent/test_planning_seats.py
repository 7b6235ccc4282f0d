"""Seats left on the planning: an available day says « Dernières places » (words and icon)
when the service's threshold is reached, « Complet – liste d'attente » when the day is
full, and « Disponible » otherwise; the page's SQL count does not change with them."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Service
from tests import factories as f

from .planning_data import MONDAY, cell, doc, fixed_now, planning_town  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("fixed_now")

DECEMBER = "/famille/planning/2026-12"
TUESDAY, THURSDAY, FRIDAY = dt.date(2026, 12, 1), dt.date(2026, 12, 3), dt.date(2026, 12, 4)


def _fill(fams, service, day: dt.date, seats: int, state=BookingState.booked) -> None:
    for fam in fams[:seats]:
        db.session.add(Booking(family=fam, child=fam.children[0], service=service,
                               school_id=fam.children[0].school_id, day=day, state=state))
    db.session.commit()


def _town(app):
    """Capacity 10, threshold 3; parent0's child books nothing; 10 other families."""
    with app.app_context():
        school, [canteen], fams = planning_town(families=11)
        canteen.last_seats_threshold = 3
        db.session.commit()
        others = fams[1:]
        _fill(others, canteen, TUESDAY, 7)  # 3 left: the threshold
        _fill(others, canteen, THURSDAY, 6)  # 4 left: plenty
        _fill(others, canteen, FRIDAY, 10)  # full
        # Waiting and cancelled bookings hold no seat: Monday 07/12 stays « Disponible ».
        _fill(others, canteen, dt.date(2026, 12, 7), 10, BookingState.waiting)
        return canteen.id, fams[0].children[0].id


def _cells(client, kid, canteen):
    page = doc(client.get(DECEMBER))
    return {day: cell(page, kid, canteen, day)
            for day in (TUESDAY, THURSDAY, FRIDAY, dt.date(2026, 12, 7))}


def test_the_cell_says_last_seats_at_the_threshold_and_full_at_capacity(app, client):
    canteen, kid = _town(app)
    f.login(client, "parent0")
    found = _cells(client, kid, canteen)
    last, plenty, full, waiting = (found[d] for d in sorted(found))
    assert last.get("data-seats") == "last"
    assert "Dernières places" in last.text_content()
    assert "dernières places. Activer pour réserver." in last.get("aria-label")
    assert plenty.get("data-seats") is None and "Disponible" in plenty.text_content()
    assert full.get("data-seats") == "full"
    assert "Complet – liste d'attente" in full.text_content()
    assert "complet – liste d'attente" in full.get("aria-label")
    assert waiting.get("data-seats") is None
    # The JSON API says the same for the script and REST clients.
    with app.app_context():
        db.session.get(Service, canteen).last_seats_threshold = 4
        db.session.commit()
    found = _cells(client, kid, canteen)
    assert found[THURSDAY].get("data-seats") == "last"  # 4 left, threshold now 4


def test_a_booked_day_never_says_full(app, client):
    canteen, kid = _town(app)
    with app.app_context():
        from app.models import Child

        child = db.session.get(Child, kid)
        f.booking(child.families[0], child, db.session.get(Service, canteen), TUESDAY)
    f.login(client, "parent0")
    tuesday = _cells(client, kid, canteen)[TUESDAY]
    assert tuesday.get("data-state") == "booked" and tuesday.get("data-seats") is None


def test_seats_left_cost_no_extra_statement_per_day_or_state(app, client, count_queries):
    with app.app_context():
        planning_town(families=1)
    f.login(client, "parent0")
    client.get(DECEMBER)
    with count_queries() as counter:
        assert client.get(DECEMBER).status_code == 200
    empty = counter.count
    client.get("/logout/")
    db_ids = _town_more(app)
    f.login(client, "parent1")
    client.get(DECEMBER)
    with count_queries() as counter:
        page = doc(client.get(DECEMBER))
    assert cell(page, *db_ids, FRIDAY).get("data-seats") == "full"
    assert cell(page, *db_ids, TUESDAY).get("data-seats") == "last"
    assert counter.count == empty, (empty, counter.count)


def _town_more(app):
    """A second town is not possible in one database: add 10 families to the same school."""
    with app.app_context():
        canteen = db.session.query(Service).one()
        canteen.last_seats_threshold = 3
        school = canteen.capacities[0].school
        fams = []
        for n in range(10):
            fam = f.family(f"Autre{n}", school, username="parent1" if n == 0 else None)
            fams.append(fam)
            f.enrolment(fam, fam.children[0], canteen).state = "validated"
        db.session.commit()
        _fill(fams[1:], canteen, TUESDAY, 7)
        _fill(fams[1:], canteen, FRIDAY, 9)
        from app.models import Family

        _fill([db.session.query(Family).filter_by(name="Famille Fam0").one()], canteen, FRIDAY, 1)
        _fill(fams[:1], canteen, dt.date(2026, 12, 8), 1)
        return fams[0].children[0].id, canteen.id
