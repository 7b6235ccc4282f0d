"""Capacity under concurrent clicks, on PostgreSQL: 50 parents, each on their own
connection, book the same day of a 10-seat canteen at the same moment."""

from __future__ import annotations

import os
import threading

import pytest

from app import create_app
from app.extensions import db
from app.models import Booking, BookingState, SchoolYear
from app.services.calendar import OpeningCalendar
from app.services.reservations.day import ChangeDay

from .builders import MONDAY, NOW, town

pytestmark = pytest.mark.postgres
URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_fifty_concurrent_bookings_never_exceed_ten_seats(app):
    with app.app_context():
        _, canteen, families = town(capacity=10, families=50, logins=False)
        clicks = [(fam.id, fam.children[0].id, canteen.id) for fam in families]
        # Load the official holiday dates once (per process, as a server does) so that the
        # race measures the locking, not 50 threads parsing the same data under the GIL.
        OpeningCalendar.for_school_year(db.session.query(SchoolYear).one())
    # A second app on the same database with a pool of one connection per thread.
    racing_app = create_app("testing", SQLALCHEMY_DATABASE_URI=URL,
                            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 50, "max_overflow": 0})
    start = threading.Barrier(len(clicks))
    outcomes, failures = [], []

    def click(family_id, child_id, service_id):
        with racing_app.app_context():
            db.session.connection()  # take this thread's own connection before the race
            start.wait()
            try:
                outcomes.append(ChangeDay(family_id, child_id, service_id, MONDAY, "book",
                                          now=NOW).run().state)
            except Exception as error:  # any error is a failure of the test
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click, args=args) for args in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with racing_app.app_context():
        db.engine.dispose()
    assert not failures
    assert sorted(outcomes).count("booked") == 10
    with app.app_context():
        states = [s for (s,) in db.session.query(Booking.state).filter_by(day=MONDAY)]
    assert states.count(BookingState.booked) == 10
    assert states.count(BookingState.waiting) == 40
