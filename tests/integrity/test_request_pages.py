"""The queue says why a request can no longer be validated; the back office's enrolment
form follows the enrolment rules; a parent withdraws their own pending request (and only
their own)."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from app.extensions import db
from app.models import (
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
)
from app.security.roles import AGENT, MANAGER
from app.services.reservations.day import ChangeDay
from app.services.reservations.enrol import RequestEnrolment
from tests import factories as f
from tests.reservations.builders import FRIDAY, NOW, town

QUEUE = "/gestion/file-des-demandes"
DEC_7 = dt.date(2026, 12, 7)


def _text(response) -> str:
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return " ".join(document.body.text_content().split())


def _late_request(fam, canteen) -> int:
    kid = fam.children[0]
    return ChangeDay(fam.id, kid.id, canteen.id, FRIDAY, "book", now=NOW).run().request_id


def test_the_queue_says_why_a_request_can_no_longer_be_validated(app, client, monkeypatch):
    with app.test_request_context():
        school, canteen, (fam,) = town()
        request_id = _late_request(fam, canteen)
        f.user("agent1", AGENT)
    f.login(client, "agent1")
    assert "Ne peut plus être validée" not in _text(client.get(f"{QUEUE}/list/"))
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-11-30T09:00:00")
    page = _text(client.get(f"{QUEUE}/list/"))
    assert "Ne peut plus être validée : le jour (27/11/2026) est passé." in page
    response = client.post(f"{QUEUE}/action_post",
                           data={"action": "validate", "rowid": [str(request_id)]},
                           follow_redirects=True)
    assert "est passé" in _text(response)
    with app.app_context():
        assert db.session.get(Request, request_id).state == RequestState.pending


def test_the_back_office_enrolment_form_cancels_the_future_days_outside(app, client):
    with app.test_request_context():
        school, canteen, (fam,) = town()
        kid = fam.children[0]
        ChangeDay(fam.id, kid.id, canteen.id, DEC_7, "book", now=NOW).run()
        f.booking(fam, kid, canteen, dt.date(2026, 11, 23))
        enrolment = db.session.query(Enrolment).filter_by(child_id=kid.id).one()
        ids = {"id": enrolment.id, "family": fam.id, "child": kid.id, "service": canteen.id,
               "school": school.id, "year": enrolment.school_year_id}
        f.user("manager1", MANAGER)
    f.login(client, "manager1")
    response = client.post(f"/gestion/inscriptions/edit/{ids['id']}", data={
        "family": str(ids["family"]), "child": str(ids["child"]),
        "service": str(ids["service"]), "school": str(ids["school"]),
        "school_year": str(ids["year"]), "state": "validated",
        "start_date": "2027-01-04", "end_date": "",
    })
    assert response.status_code == 302
    with app.app_context():
        states = dict(db.session.query(Booking.day, Booking.state).filter_by(child_id=ids["child"]))
        assert states[DEC_7] == BookingState.cancelled
        assert states[dt.date(2026, 11, 23)] == BookingState.booked


def test_a_parent_withdraws_their_own_pending_requests(app, client):
    with app.test_request_context():
        school, canteen, (fam, other) = town(families=2)
        booking_request = _late_request(fam, canteen)
        care = f.service("garderie", schools=[school])
        enrolment_id = RequestEnrolment(fam.id, fam.children[0].id, care.id,
                                        f.school_year().id).run().id
        enrolment_request = db.session.query(Request).filter_by(
            enrolment_id=enrolment_id, kind=RequestKind.enrolment).one().id
        others = _late_request(other, canteen)
    f.login(client, "parent0")
    response = client.post("/parentrequestview/action_post", follow_redirects=True, data={
        "action": "withdraw", "rowid": [str(booking_request), str(enrolment_request)]})
    assert "Demande retirée" in _text(response)
    with app.app_context():
        assert db.session.get(Request, booking_request).state == RequestState.withdrawn
        assert db.session.get(Booking, db.session.get(Request, booking_request).booking_id
                              ).state == BookingState.cancelled
        assert db.session.get(Request, enrolment_request).state == RequestState.withdrawn
        assert db.session.get(Enrolment, enrolment_id).state == EnrolmentState.cancelled
    # Another family's request is out of reach; a decided request can't be withdrawn.
    client.post("/parentrequestview/action_post",
                data={"action": "withdraw", "rowid": [str(others)]})
    again = client.post("/parentrequestview/action_post", follow_redirects=True,
                        data={"action": "withdraw", "rowid": [str(booking_request)]})
    assert "déjà été traitée" in _text(again)
    with app.app_context():
        assert db.session.get(Request, others).state == RequestState.pending
