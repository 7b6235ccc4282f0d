"""The staff's request queue (/gestion/file-des-demandes): what an agent sees, validates and
refuses, and what the family gets back (alert + mail)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import (
    Alert,
    AuditLog,
    BookingState,
    OutgoingMail,
    Request,
    RequestKind,
    RequestState,
    School,
    Service,
)
from app.security.roles import MANAGER
from app.services.reservations import decide
from app.services.reservations.decide import DecideRequests
from tests import factories as f
from tests.reservations.builders import set_capacity

from .data import (
    FRIDAY,
    MONDAY,
    booked,
    data_change_request,
    enrolled_family,
    late_request,
    queue_town,
    second_school,
    staff_client,
)

QUEUE = "/gestion/file-des-demandes"


def _rows(response) -> list[str]:
    """The text of each row of the list."""
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return [" ".join(tr.text_content().split())
            for tr in document.xpath("//table[contains(@class,'portal-table')]/tbody/tr")]


def _row_with(response, needle: str) -> str:
    found = [text for text in _rows(response) if needle in text]
    assert len(found) == 1, (needle, list(_rows(response)))
    return found[0]


def _decide(client, action: str, ids: list[int]):
    return client.post(f"{QUEUE}/action_post", data={"action": action,
                                                     "rowid": [str(i) for i in ids]})


def _text(response) -> str:
    """The page as a user reads it (entities decoded, spaces collapsed)."""
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return " ".join(document.body.text_content().split())


def _canteen(town) -> Service:
    return db.session.get(Service, town["canteen"])


def _state(request_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Request, request_id).state


@pytest.fixture
def town(app):
    """Fam0's late Friday booking (pending), Fam1 already booked on Friday (1 seat of 10),
    Fam1's health data change, and a request already refused."""
    with app.test_request_context():
        school, canteen, (fam0, fam1) = queue_town()
        late = late_request(fam0, fam0.children[0], canteen)
        booked(fam1, fam1.children[0], canteen, FRIDAY)
        change = data_change_request(fam1)
        old = late_request(fam1, fam1.children[0], canteen, day=MONDAY)
        DecideRequests([old.id], "refuse", None, reason="Trop tard").run()
        return {"late": late.id, "change": change.id, "old": old.id, "school": school.id,
                "canteen": canteen.id, "late_summary": late.summary,
                "change_summary": change.summary, "old_summary": old.summary,
                "fam0": fam0.id}


def test_queue_lists_pending_requests_with_the_days_seats(app, client, town):
    staff_client(client)
    response = client.get(f"{QUEUE}/list/")
    assert response.status_code == 200
    row = _row_with(response, town["late_summary"])
    assert "Réservation hors délai" in row
    assert "École Théodore Chalmel" in row and "27/11/2026" in row
    assert "1 / 10" in row  # Fam1's seat; Fam0's request does not hold one yet
    change = _row_with(response, town["change_summary"])
    assert "Modification de données" in change and " / " not in change
    assert town["old_summary"] not in response.get_data(as_text=True)
    decided = client.get("/gestion/demandes-traitees/list/")
    assert "Refusée" in _row_with(decided, town["old_summary"])
    assert town["late_summary"] not in decided.get_data(as_text=True)


def test_validate_books_the_day_and_tells_the_family(app, client, town):
    staff_client(client)
    response = _decide(client, "validate", [town["late"]])
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "1 demande validée : la famille est prévenue." in page
    with app.app_context():
        request = db.session.get(Request, town["late"])
        assert request.state == RequestState.validated
        assert request.booking.state == BookingState.booked
        assert request.decided_by.username == "agent1"
        alert = db.session.query(Alert).filter_by(request_id=request.id).one()
        assert alert.title.startswith("Demande acceptée")
        mail = db.session.query(OutgoingMail).filter_by(family_id=town["fam0"]).one()
        assert mail.recipient == "parent0@example.org"
        assert "Demande acceptée" in mail.subject
    assert town["late_summary"] not in client.get(f"{QUEUE}/list/").get_data(as_text=True)


def test_a_full_day_refuses_the_whole_batch_with_every_reason(app, client, town):
    """Two late requests for the last seat: validating both changes nothing and says why."""
    with app.test_request_context():
        school, canteen = db.session.get(School, town["school"]), _canteen(town)
        fam = enrolled_family("Tard", school, canteen)
        other = late_request(fam, fam.children[0], canteen).id
        set_capacity(canteen, school, 2)
    staff_client(client)
    listed = client.get(f"{QUEUE}/list/")
    assert "1 / 2" in _row_with(listed, town["late_summary"])
    page = client.get(_decide(client, "validate", [town["late"], other]).headers["Location"])
    text = _text(page)
    assert "journée complète (2 places)" in text
    assert "Aucune demande n'a été validée." in text
    with app.app_context():
        assert _state(town["late"]) == RequestState.pending
        assert _state(other) == RequestState.pending
        assert db.session.query(Alert).filter(Alert.request_id.in_([town["late"], other])) \
            .count() == 0
        set_capacity(_canteen(town), db.session.get(School, town["school"]), 1)
    listed = client.get(f"{QUEUE}/list/")
    assert "1 / 1 (complet)" in _row_with(listed, town["late_summary"])


def test_refusal_asks_for_a_reason_then_tells_the_family(app, client, town):
    staff_client(client)
    response = _decide(client, "refuse", [town["late"], town["change"]])
    assert response.status_code == 303
    form_url = response.headers["Location"]
    assert "/refus?" in form_url
    form = client.get(form_url)
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert town["late_summary"] in page and town["change_summary"] in page
    assert 'name="reason"' in page
    ids = [str(town["late"]), str(town["change"])]
    empty = client.post(f"{QUEUE}/refus", data={"id": ids, "reason": "  "})
    assert empty.status_code == 400
    assert "Indiquez le motif du refus" in _text(empty)
    with app.app_context():
        assert _state(town["late"]) == RequestState.pending
    done = client.post(f"{QUEUE}/refus", data={"id": ids, "reason": "Effectif complet"})
    assert done.status_code == 303
    assert "2 demandes refusées" in client.get(done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        request = db.session.get(Request, town["late"])
        assert request.state == RequestState.refused and request.reason == "Effectif complet"
        assert request.booking.state == BookingState.refused
        alert = db.session.query(Alert).filter_by(request_id=request.id).one()
        assert "Motif : Effectif complet" in alert.message
        assert _state(town["change"]) == RequestState.refused


def test_a_kind_without_handler_is_listed_but_not_decided(app, client, town, monkeypatch):
    monkeypatch.delitem(decide.HANDLERS, RequestKind.data_change)
    staff_client(client)
    assert town["change_summary"] in client.get(f"{QUEUE}/list/").get_data(as_text=True)
    page = _text(client.get(_decide(client, "validate", [town["change"], town["late"]])
                            .headers["Location"]))
    assert f"« {town['change_summary']} » se traite dans son propre écran." in page
    with app.app_context():
        assert _state(town["change"]) == RequestState.pending
        assert _state(town["late"]) == RequestState.pending  # all or nothing


def test_filters_by_school_service_day_kind_and_family(app, client, town):
    with app.test_request_context():
        canteen = db.session.get(Request, town["late"]).booking.service
        other_school, other_fam = second_school(canteen)
        other = late_request(other_fam, other_fam.children[0], canteen)
        other_summary, other_school_id = other.summary, other_school.id
    staff_client(client)

    def listed(query: str) -> str:
        response = client.get(f"{QUEUE}/list/?{query}")
        assert response.status_code == 200, query
        return response.get_data(as_text=True)

    by_school = listed(f"_flt_0_school={other_school_id}")
    assert other_summary in by_school and town["late_summary"] not in by_school
    by_service = listed(f"_flt_0_service={town['canteen']}")
    assert other_summary in by_service and town["change_summary"] not in by_service
    by_day = listed(f"_flt_0_day={FRIDAY.isoformat()}")
    assert town["late_summary"] in by_day and town["change_summary"] not in by_day
    assert town["late_summary"] not in listed(f"_flt_0_day={MONDAY.isoformat()}")
    assert town["late_summary"] in listed(f"_flt_1_day={FRIDAY.isoformat()}")  # from
    by_kind = listed("_flt_0_kind=data_change")
    assert town["change_summary"] in by_kind and town["late_summary"] not in by_kind
    by_family = listed("_flt_0_family=autre")
    assert other_summary in by_family and town["late_summary"] not in by_family


def test_queue_costs_the_same_sql_for_3_or_30_requests(app, client, count_queries):
    def grow(start: int, stop: int) -> None:
        with app.test_request_context():
            school = db.session.query(School).first()
            canteen = db.session.query(Service).first()
            for n in range(start, stop):
                fam = enrolled_family(f"Q{n}", school, canteen, username=f"q{n}")
                late_request(fam, fam.children[0], canteen,
                             day=FRIDAY if n % 2 else MONDAY)
                data_change_request(fam)

    with app.test_request_context():
        queue_town(families=0)
        f.user("gestionnaire1", MANAGER)  # managers also export the queue (CSV)
    grow(0, 3)
    staff_client(client, "gestionnaire1")
    urls = [f"{QUEUE}/list/", f"{QUEUE}/csv", "/gestion/demandes-traitees/list/",
            f"{QUEUE}/list/?_flt_0_school=1&_flt_0_day={FRIDAY.isoformat()}"]

    def statements() -> dict[str, int]:
        counts = {}
        for url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            counts[url] = counter.count
        return counts

    small = statements()
    grow(3, 15)  # 30 requests
    big = statements()
    assert big == small


def test_an_agent_decides_a_parent_is_refused(app, client, town):
    staff_client(client)
    assert client.get(f"{QUEUE}/list/").status_code == 200
    assert client.get(f"{QUEUE}/refus?id={town['late']}").status_code == 200
    client.get("/logout/")
    f.login(client, "parent0")
    for url in (f"{QUEUE}/list/", f"{QUEUE}/refus?id={town['late']}",
                "/gestion/demandes-traitees/list/", f"{QUEUE}/show/{town['late']}"):
        assert client.get(url).status_code == 403, url
    assert _decide(client, "validate", [town["late"]]).status_code == 403
    refused = client.post(f"{QUEUE}/refus", data={"id": [town["late"]], "reason": "x"})
    assert refused.status_code == 403
    with app.app_context():
        assert _state(town["late"]) == RequestState.pending


def test_a_decision_is_in_the_audit_log_with_the_agents_name(app, client, town):
    staff_client(client)
    _decide(client, "validate", [town["late"]])
    with app.app_context():
        rows = db.session.query(AuditLog).filter_by(table_name="family_request",
                                                    object_id=str(town["late"])).all()
        assert [r.username for r in rows] == ["agent1"]
        assert '"validated"' in rows[0].changes
        booking = db.session.get(Request, town["late"]).booking_id
        assert db.session.query(AuditLog).filter_by(table_name="booking",
                                                    object_id=str(booking),
                                                    username="agent1").count() == 1


def test_a_request_can_be_decided_from_its_own_page(app, client, town):
    staff_client(client)
    show = client.get(f"{QUEUE}/show/{town['late']}")
    assert show.status_code == 200
    assert "Valider" in _text(show) and "Refuser…" in _text(show)
    response = client.post(f"{QUEUE}/action/validate/{town['late']}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/list/")
    with app.app_context():
        assert _state(town["late"]) == RequestState.validated
    # no longer queued: its old link opens it among the decided requests
    moved = client.get(f"{QUEUE}/show/{town['late']}")
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith(f"/gestion/demandes-traitees/show/{town['late']}")
    refuse = client.post(f"{QUEUE}/action/refuse/{town['change']}")
    assert refuse.headers["Location"].endswith(f"/refus?id={town['change']}")
