"""Mes réservations through HTTP: the month page (cells, colours' states, labels, months'
URLs, every child) and the no-JavaScript forms (a cell's button, a note)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Booking, BookingState, Child
from tests import factories as f

from .planning_data import (
    FRIDAY,
    MONDAY,
    bookings,
    cell,
    cells,
    doc,
    fixed_now,  # noqa: F401  (the fixture, used below)
    planning_town,
    request_count,
)

pytestmark = pytest.mark.usefixtures("fixed_now")

NOVEMBER = "/famille/planning/2026-11"


def _town(app, **kwargs):
    with app.app_context():
        school, services, fams = planning_town(**kwargs)
        ids = {
            "services": [s.id for s in services],
            "families": [fam.id for fam in fams],
            "children": [[k.id for k in fam.children] for fam in fams],
        }
    return ids


def test_month_page_has_one_cell_per_child_service_and_day(app, client):
    ids = _town(app, children=2, services=2)
    f.login(client, "parent0")
    response = client.get(NOVEMBER)
    assert response.status_code == 200
    page = doc(response)
    found = cells(page)
    # November 2026 shows Monday to Friday: 21 weekdays × 2 children × 2 services.
    assert len(found) == 21 * 2 * 2
    kid, canteen = ids["children"][0][0], ids["services"][0]
    monday = cell(page, kid, canteen, MONDAY)
    assert monday.tag == "button" and monday.get("data-state") == "available"
    assert "lundi 30 novembre : disponible. Activer pour réserver." in monday.get("aria-label")
    wednesday = cell(page, kid, canteen, dt.date(2026, 11, 25))
    assert wednesday.get("data-state") == "closed" and wednesday.tag == "span"
    assert "Mercredi sans école" in wednesday.text_content()
    friday = cell(page, kid, canteen, FRIDAY)
    assert friday.get("data-late") == "true"
    assert "Délai dépassé" in friday.get("aria-label")
    past = cell(page, kid, canteen, dt.date(2026, 11, 24))
    assert past.tag == "span" and "Non réservé" in past.text_content()
    assert "non réservé. Journée passée." in past.text_content()
    # Every state named in the legend, not only by its colour.
    legend = page.xpath("//section[contains(@class, 'pl-legend')]")[0].text_content()
    for label in ("Réservé", "En attente", "Modification demandée", "Annulation demandée",
                  "Disponible", "Fermé"):
        assert label in legend


def test_each_state_has_its_data_state_and_label(app, client):
    ids = _town(app)
    kid, canteen, fam = ids["children"][0][0], ids["services"][0], ids["families"][0]
    states = {
        dt.date(2026, 11, 30): BookingState.booked,
        dt.date(2026, 12, 1): BookingState.pending,
        dt.date(2026, 12, 3): BookingState.waiting,
        dt.date(2026, 12, 4): BookingState.modification,
        dt.date(2026, 12, 7): BookingState.cancellation,
        dt.date(2026, 12, 8): BookingState.cancelled,
    }
    with app.app_context():
        for day, state in states.items():
            db.session.add(Booking(family_id=fam, child_id=kid, service_id=canteen,
                                   school_id=db.session.get(Child, kid).school_id, day=day,
                                   state=state))
        db.session.commit()
    f.login(client, "parent0")
    page = doc(client.get("/famille/planning/2026-12"))
    expected = {
        dt.date(2026, 12, 1): ("pending", "En attente"),
        dt.date(2026, 12, 3): ("pending", "En attente"),
        dt.date(2026, 12, 4): ("modification", "Modification demandée"),
        dt.date(2026, 12, 7): ("cancellation", "Annulation demandée"),
        dt.date(2026, 12, 8): ("available", "Disponible"),
        dt.date(2026, 12, 9): ("closed", "Mercredi sans école"),
        dt.date(2026, 12, 22): ("closed", "Vacances de Noël"),
    }
    for day, (state, label) in expected.items():
        element = cell(page, kid, canteen, day)
        assert element.get("data-state") == state, day
        assert label in element.text_content(), day
    assert "Activer pour retirer la demande." in cell(
        page, kid, canteen, dt.date(2026, 12, 4)).get("aria-label")
    november = doc(client.get(NOVEMBER))
    booked = cell(november, kid, canteen, MONDAY)
    assert booked.get("data-state") == "booked" and "Réservé" in booked.text_content()
    assert booked.get("aria-label").endswith(": réservé. Activer pour annuler.")


def test_each_month_has_its_url_with_previous_and_next(app, client):
    _town(app)
    f.login(client, "parent0")
    today = client.get("/famille/planning/")
    assert today.status_code == 200
    assert "Novembre 2026" in today.get_data(as_text=True)
    page = doc(client.get("/famille/planning/2027-01"))
    assert page.xpath("//a[@rel='prev']/@href") == ["/famille/planning/2026-12"]
    assert page.xpath("//a[@rel='next']/@href") == ["/famille/planning/2027-02"]
    assert "Janvier 2027" in page.xpath("//h1")[0].text_content()


def test_malformed_month_url_gets_a_french_404(app, client):
    _town(app)
    f.login(client, "parent0")
    for month in ("2026-13", "novembre", "2026-1", "1899-01"):
        response = client.get(f"/famille/planning/{month}")
        assert response.status_code == 404, month
        body = response.get_data(as_text=True)
        assert "Mois invalide" in body and "AAAA-MM" in body


def test_every_child_of_the_family_is_on_the_page(app, client):
    """A child without a validated enrolment is listed too, with a way to enrol."""
    ids = _town(app, children=2)
    with app.app_context():
        from app.models import Enrolment

        db.session.query(Enrolment).filter_by(child_id=ids["children"][0][1]).delete()
        db.session.commit()
    f.login(client, "parent0")
    page = doc(client.get(NOVEMBER))
    sections = page.xpath("//section[contains(@class, 'pl-child')]")
    assert len(sections) == 2
    assert "Aucune inscription validée" in sections[1].text_content()
    assert sections[1].xpath(".//a[@href='/famille/inscription/']")
    assert [a.get("href") for a in page.xpath("//nav[contains(@class,'pl-children')]//a")] == [
        f"#enfant-{ids['children'][0][0]}", f"#enfant-{ids['children'][0][1]}"]


def test_another_familys_children_never_show(app, client):
    ids = _town(app, families=2)
    f.login(client, "parent0")
    page = doc(client.get(NOVEMBER))
    shown = {c.get("data-child") for c in cells(page)}
    assert shown == {str(ids["children"][0][0])}
    assert "Fam1" not in page.text_content()


def test_cell_button_without_javascript_books_then_cancels(app, client):
    ids = _town(app)
    kid, canteen = ids["children"][0][0], ids["services"][0]
    f.login(client, "parent0")
    form = {"child": kid, "service": canteen, "day": MONDAY.isoformat(), "month": "2026-11"}
    response = client.post("/famille/planning/jour", data=form)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/famille/planning/2026-11#enfant-{kid}-service-{canteen}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Réservé." in page
    with app.app_context():
        assert bookings() == [(kid, canteen, MONDAY, BookingState.booked, None)]
    client.post("/famille/planning/jour", data=form)
    with app.app_context():
        assert bookings() == [(kid, canteen, MONDAY, BookingState.cancelled, None)]


def test_late_click_becomes_a_request_and_says_why(app, client):
    """Past the deadline the day turns green and the message gives the deadline in Paris
    time (10h00, the rule's hour; it once said 11h00, read as UTC)."""
    ids = _town(app)
    kid, canteen = ids["children"][0][0], ids["services"][0]
    f.login(client, "parent0")
    response = client.post("/famille/planning/jour", follow_redirects=True, data={
        "child": kid, "service": canteen, "day": FRIDAY.isoformat()})
    assert "Délai dépassé (jusqu'au mercredi 25 novembre à 10h00)" in doc(response).text_content()
    assert cell(doc(response), kid, canteen, FRIDAY).get("data-state") == "pending"
    with app.app_context():
        assert request_count() == 1


def test_note_on_a_booked_day(app, client):
    ids = _town(app)
    kid, canteen, fam = ids["children"][0][0], ids["services"][0], ids["families"][0]
    with app.app_context():
        for day in (MONDAY, FRIDAY):
            db.session.add(Booking(family_id=fam, child_id=kid, service_id=canteen,
                                   school_id=db.session.get(Child, kid).school_id, day=day))
        db.session.commit()
    f.login(client, "parent0")
    note = {"action": "note", "row": f"{kid}-{canteen}", "note": "Départ à 16h30 avec Mamie"}
    done = client.post("/famille/planning/jour", data={**note, "day": MONDAY.isoformat()},
                       follow_redirects=True)
    assert "Modification enregistrée." in done.get_data(as_text=True)
    monday = cell(doc(done), kid, canteen, MONDAY)
    assert monday.get("data-note") == "true"
    assert "Remarque : Départ à 16h30 avec Mamie" in monday.get("aria-label")
    late = client.post("/famille/planning/jour", data={**note, "day": FRIDAY.isoformat()},
                       follow_redirects=True)
    assert cell(doc(late), kid, canteen, FRIDAY).get("data-state") == "modification"
    with app.app_context():
        assert [b[3:] for b in bookings()] == [
            (BookingState.modification, None),
            (BookingState.booked, "Départ à 16h30 avec Mamie"),
        ]
