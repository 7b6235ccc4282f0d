"""The planning's forms through HTTP: a whole week row, the standard week over a date
range, and bad input on every form (a clear French message, nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Child
from tests import factories as f

from .planning_data import (
    MONDAY,
    WEDNESDAY,
    bookings,
    cell,
    doc,
    fixed_now,  # noqa: F401  (the fixture, used below)
    planning_town,
    request_count,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

WEEK = "/famille/planning/semaine"
DAY = "/famille/planning/jour"


def _town(app, families: int = 2):
    with app.app_context():
        _school, [canteen], fams = planning_town(families=families)
        return canteen.id, [fam.children[0].id for fam in fams], [fam.id for fam in fams]


def _days(state=BookingState.booked) -> list[dt.date]:
    return [b[2] for b in bookings() if b[3] == state]


def test_whole_week_row_books_the_open_days_shown(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    response = client.post(WEEK, data={"child": kid, "service": canteen, "month": "2026-12",
                                       "book_week": "2026-12-07"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/famille/planning/2026-12#enfant-{kid}-service-{canteen}")
    with app.app_context():
        assert _days() == [dt.date(2026, 12, d) for d in (7, 8, 10, 11)]  # Wednesday closed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 jour(s) modifié(s), dont 0 demande(s)" in page
    client.post(WEEK, data={"child": kid, "service": canteen, "month": "2026-12",
                            "cancel_week": "2026-12-07"})
    with app.app_context():
        assert _days() == []


def test_week_row_across_two_months_changes_only_the_month_shown(app, client):
    """The row of Monday 30/11 on the November page shows one day: only it changes."""
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    client.post(WEEK, data={"child": kid, "service": canteen, "month": "2026-11",
                            "book_week": MONDAY.isoformat()})
    with app.app_context():
        assert _days() == [MONDAY]


def test_late_days_of_a_week_become_requests_and_past_days_are_listed(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    response = client.post(WEEK, follow_redirects=True, data={
        "child": kid, "service": canteen, "month": "2026-11", "book_week": "2026-11-23"})
    body = response.get_data(as_text=True)
    assert "1 jour(s) modifié(s), dont 1 demande(s)" in body
    assert "3 jour(s) non modifiable(s)" in body  # Monday, Tuesday, Thursday are past
    assert "23/11/2026 : Cette journée est passée" in body
    assert cell(doc(response), kid, canteen, dt.date(2026, 11, 27)).get(
        "data-state") == "pending"


def test_standard_week_over_a_range(app, client):
    canteen, [kid, _other], _fams = _town(app)
    f.login(client, "parent0")
    form = {"row": f"{kid}-{canteen}", "weekdays": ["0", "1", "3", "4"], "month": "2026-12",
            "start": "2026-12-01", "end": "2026-12-11", "action": "book"}
    response = client.post(WEEK, data=form)
    assert response.status_code == 303
    with app.app_context():
        assert _days() == [dt.date(2026, 12, d) for d in (1, 3, 4, 7, 8, 10, 11)]
    # Now only Mondays and Tuesdays: the other booked days are cancelled.
    client.post(WEEK, data={**form, "weekdays": ["0", "1"], "cancel_others": "1"})
    with app.app_context():
        assert _days() == [dt.date(2026, 12, d) for d in (1, 7, 8)]
    client.post(WEEK, data={**form, "weekdays": ["1"], "action": "cancel"})
    with app.app_context():
        assert _days() == [dt.date(2026, 12, 7)]


def test_bad_week_forms_change_nothing(app, client):
    canteen, [kid, other_kid], _fams = _town(app)
    f.login(client, "parent0")
    good = {"row": f"{kid}-{canteen}", "weekdays": ["0"], "start": "2026-12-01",
            "end": "2026-12-11", "month": "2026-12"}
    cases = [
        ({**good, "row": f"{other_kid}-{canteen}"}, "Enfant inconnu."),
        ({**good, "row": "abc"}, "Enfant inconnu."),
        ({**good, "weekdays": []}, "Choisissez au moins un jour de la semaine."),
        ({**good, "start": "01/12/2026"}, "Dates invalides : utilisez le format AAAA-MM-JJ."),
        ({**good, "end": "2026-11-01"}, "La date de fin précède la date de début."),
        ({"child": other_kid, "service": canteen, "month": "2026-12",
          "book_week": "2026-12-07"}, "Enfant inconnu."),
        ({"child": kid, "service": canteen, "month": "2026-12", "book_week": "lundi"},
         "Semaine invalide."),
    ]
    for data, message in cases:
        response = client.post(WEEK, data=data)
        assert response.status_code == 400, data
        text = doc(response).text_content()
        assert message in text, (data, message)
        assert "Rien n'a été modifié" in text
    with app.app_context():
        assert bookings() == [] and request_count() == 0


def test_bad_cell_forms_change_nothing(app, client):
    canteen, [kid, other_kid], [_fam, fam_b] = _town(app)
    with app.app_context():  # B's own booking on B's child: A must not cancel it
        db.session.add(Booking(family_id=fam_b, child_id=other_kid, service_id=canteen,
                               school_id=db.session.get(Child, other_kid).school_id,
                               day=MONDAY))
        db.session.commit()
        before = bookings()
    f.login(client, "parent0")
    cases = [
        ({"child": kid, "service": canteen, "day": WEDNESDAY.isoformat()},
         "Jour fermé : Mercredi sans école."),
        ({"child": kid, "service": canteen, "day": "2026-12-25"},
         "Jour fermé : Jour férié : Noël."),
        ({"child": 999999, "service": canteen, "day": MONDAY.isoformat()}, "Enfant inconnu."),
        ({"child": other_kid, "service": canteen, "day": MONDAY.isoformat()},
         "Enfant inconnu."),
        ({"child": kid, "service": canteen, "day": "2026-13-01"},
         "Date invalide : utilisez le format AAAA-MM-JJ."),
        ({"child": kid, "service": canteen, "day": MONDAY.isoformat(), "action": "note"},
         "Indiquez le changement pour une journée réservée."),
        ({}, "Date invalide : utilisez le format AAAA-MM-JJ."),
    ]
    for data, message in cases:
        response = client.post(DAY, data=data)
        assert response.status_code == 400, data
        assert message in doc(response).text_content(), data
    with app.app_context():
        assert bookings() == before and request_count() == 0
