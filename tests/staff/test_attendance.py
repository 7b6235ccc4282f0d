"""Pointage (/gestion/pointage): the children expected with their allergies and PAI, marks
saved in one form, a child who came without booking, and the printable sheet."""

from __future__ import annotations

import io

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from app.extensions import db
from app.models import Attendance, AuditLog, Booking, BookingState, Child, School, Service, User
from tests import factories as f

from .data import (
    MONDAY,
    TODAY,
    TUESDAY,
    WEDNESDAY,
    booked,
    enrolled_family,
    queue_town,
    second_school,
    staff_client,
)

SHEET = "/gestion/pointage"


def _text(response) -> str:
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return " ".join(document.body.text_content().split())


def _doc(response):
    return lxml_html.document_fromstring(response.get_data(as_text=True))


def _row(response, booking_id: int) -> str:
    found = _doc(response).xpath(f"//tr[@data-booking='{booking_id}']")
    assert len(found) == 1, booking_id
    return " ".join(found[0].text_content().split())


def _booking(booking_id: int) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking_id)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def day(app):
    """Thursday 26/11 (today) at the canteen: Fam0's child booked (PAI, vegetarian), Fam1's
    child with a cancellation waiting (still expected), Fam2's child pending (not expected),
    Fam3's child not booked at all."""
    with app.test_request_context():
        school, canteen, fams = queue_town(families=4)
        kids = [fam.children[0] for fam in fams]
        kids[0].has_pai, kids[0].pai_details, kids[0].diet = True, "Trousse au bureau", \
            "vegetarian"
        kids[0].class_name = "CE1 — Mme Martin"
        db.session.commit()
        rows = [booked(fams[0], kids[0], canteen, TODAY),
                booked(fams[1], kids[1], canteen, TODAY, BookingState.cancellation),
                booked(fams[2], kids[2], canteen, TODAY, BookingState.pending)]
        return {"school": school.id, "canteen": canteen.id, "bookings": [b.id for b in rows],
                "kids": [k.id for k in kids], "families": [fam.id for fam in fams]}


def _args(day, when=TODAY) -> str:
    return f"jour={when.isoformat()}&ecole={day['school']}&service={day['canteen']}"


def _form(day, when=TODAY, **marks) -> dict:
    return {"jour": when.isoformat(), "ecole": day["school"], "service": day["canteen"],
            **marks}


def test_the_sheet_lists_the_children_expected_with_allergies_and_pai(app, client, day):
    staff_client(client)
    response = client.get(f"{SHEET}/")  # today, the first school, the canteen
    assert response.status_code == 200
    text = _text(response)
    assert "Jeudi 26 novembre 2026" in text
    assert "2 enfants attendus" in text and "PAI : 1" in text
    first = _row(response, day["bookings"][0])
    assert "Fam0 Fam0Enfant0" in first and "CE1 — Mme Martin" in first
    assert "PAI : Trousse au bureau" in first and "Allergies : Allergie Fam0" in first
    assert "Végétarien" in first
    assert "Demande d'annulation" in _row(response, day["bookings"][1])
    assert "Fam2Enfant0" not in text  # a pending request is not expected
    radios = _doc(response).xpath(f"//input[@name='att-{day['bookings'][0]}']")
    assert [r.get("value") for r in radios] == ["present", "absent_excused", "absent_unexcused"]
    assert _doc(response).xpath("//button[@id='all-present']")


def test_one_form_saves_every_mark(app, client, day):
    staff_client(client)
    first, second = day["bookings"][:2]
    response = client.post(f"{SHEET}/enregistrer", data=_form(day, **{
        f"att-{first}": "present", f"att-{second}": "absent_excused"}))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Pointage enregistré (2 enfants modifiés)." in _text(page)
    checked = _doc(page).xpath(f"//input[@name='att-{second}'][@checked]")
    assert [r.get("value") for r in checked] == ["absent_excused"]
    with app.app_context():
        row = _booking(first)
        assert row.attendance == Attendance.present
        assert row.attendance_recorded_at is not None
        assert db.session.get(User, row.attendance_recorded_by).username == "agent1"
        assert _booking(second).attendance == Attendance.absent_excused


def test_wrong_marks_change_nothing_and_say_why(app, client, day):
    with app.app_context():
        other_day = booked(db.session.get(Child, day["kids"][3]).families[0],
                           db.session.get(Child, day["kids"][3]), _canteen(day), TUESDAY).id
    staff_client(client)
    first = day["bookings"][0]
    response = client.post(f"{SHEET}/enregistrer", data=_form(day, **{
        f"att-{first}": "present", f"att-{day['bookings'][1]}": "malade",
        f"att-{other_day}": "present", f"att-{day['bookings'][2]}": "present"}))
    text = _text(client.get(response.headers["Location"]))
    assert "Certains enfants ne sont plus sur la liste du jour" in text
    assert "Fam1Enfant0 Fam1 : pointage inconnu." in text
    with app.app_context():
        assert _booking(first).attendance is None
        assert _booking(other_day).attendance is None


def test_a_future_day_shows_who_is_expected_but_cannot_be_marked(app, client, day):
    with app.app_context():
        kid = db.session.get(Child, day["kids"][0])
        monday = booked(kid.families[0], kid, _canteen(day), MONDAY).id
    staff_client(client)
    page = client.get(f"{SHEET}/?{_args(day, MONDAY)}")
    assert "Jour à venir" in _text(page)
    assert "Non pointé" in _row(page, monday)
    assert not _doc(page).xpath("//input[@type='radio']")
    assert not _doc(page).xpath("//form[@name='find-child']")
    response = client.post(f"{SHEET}/enregistrer",
                           data=_form(day, MONDAY, **{f"att-{monday}": "present"}))
    assert "Le pointage n'est possible que pour aujourd'hui ou un jour passé." in _text(
        client.get(response.headers["Location"]))
    with app.app_context():
        assert _booking(monday).attendance is None


def test_a_child_who_came_without_booking_is_added_present(app, client, day):
    staff_client(client)
    search = client.get(f"{SHEET}/?{_args(day)}&q=fam3")
    forms = _doc(search).xpath("//form[@name='add-child']")
    assert len(forms) == 1 and "Fam3Enfant0" in forms[0].text_content()
    assert not _doc(client.get(f"{SHEET}/?{_args(day)}&q=fam0")).xpath(
        "//form[@name='add-child']")  # already on the list
    kid, family = day["kids"][3], day["families"][3]
    response = client.post(f"{SHEET}/ajouter", data=_form(day, child=kid, family=family))
    page = client.get(response.headers["Location"])
    assert "Fam3Enfant0 Fam3 est ajouté à la liste, présent sans réservation." in _text(page)
    assert "3 enfants attendus" in _text(page)
    with app.app_context():
        row = db.session.query(Booking).filter_by(child_id=kid, day=TODAY).one()
        assert (row.state, row.unbooked, row.attendance, row.family_id) == (
            BookingState.booked, 1, Attendance.present, family)
        assert "Venu sans réservation" in _row(page, row.id)
    again = client.post(f"{SHEET}/ajouter", data=_form(day, child=kid, family=family))
    assert "Fam3Enfant0 Fam3 est déjà sur la liste du jour." in _text(
        client.get(again.headers["Location"]))


def test_a_cancelled_booking_of_the_day_is_reused(app, client, day):
    with app.app_context():
        kid = db.session.get(Child, day["kids"][3])
        cancelled = booked(kid.families[0], kid, _canteen(day), TODAY, BookingState.cancelled).id
    staff_client(client)
    client.post(f"{SHEET}/ajouter",
                data=_form(day, child=day["kids"][3], family=day["families"][3]))
    with app.app_context():
        row = _booking(cancelled)
        assert (row.state, row.unbooked, row.attendance) == (
            BookingState.booked, 1, Attendance.present)
        assert db.session.query(Booking).filter_by(child_id=day["kids"][3]).count() == 1


def test_adding_a_child_is_refused_when_it_makes_no_sense(app, client, day):
    with app.test_request_context():
        _other, stranger = second_school(_canteen(day))
        stranger_ids = (stranger.children[0].id, stranger.id)
    staff_client(client)
    cases = [
        (_form(day, WEDNESDAY, child=day["kids"][3], family=day["families"][3]),
         "Jour fermé : Mercredi sans école."),
        (_form(day, MONDAY, child=day["kids"][3], family=day["families"][3]),
         "Le pointage n'est possible que pour aujourd'hui ou un jour passé."),
        (_form(day, child=stranger_ids[0], family=stranger_ids[1]),
         "Cet enfant n'est pas scolarisé dans cette école."),
        (_form(day, child=day["kids"][3], family=day["families"][0]),
         "Cet enfant n'est pas rattaché à cette famille."),
        (_form(day, child=day["kids"][2], family=day["families"][2]),
         "a une demande en attente pour ce jour"),
    ]
    for form, message in cases:
        response = client.post(f"{SHEET}/ajouter", data=form)
        assert message in _text(client.get(response.headers["Location"])), message
    with app.app_context():
        assert db.session.query(Booking).filter_by(unbooked=1).count() == 0


def test_an_accepted_late_cancellation_can_be_excused_not_marked_present(app, client, day):
    with app.app_context():
        kid = db.session.get(Child, day["kids"][3])
        late = booked(kid.families[0], kid, _canteen(day), TODAY, BookingState.cancelled)
        late.attendance = Attendance.absent_unexcused
        db.session.commit()
        late = late.id
    staff_client(client)
    page = client.get(f"{SHEET}/?{_args(day)}")
    assert "Annulation tardive acceptée" in _row(page, late)
    values = [r.get("value") for r in _doc(page).xpath(f"//input[@name='att-{late}']")]
    assert values == ["absent_excused", "absent_unexcused"]
    refused = client.post(f"{SHEET}/enregistrer", data=_form(day, **{f"att-{late}": "present"}))
    assert "l'annulation a été acceptée" in _text(client.get(refused.headers["Location"]))
    client.post(f"{SHEET}/enregistrer", data=_form(day, **{f"att-{late}": "absent_excused"}))
    with app.app_context():
        assert _booking(late).attendance == Attendance.absent_excused


def test_the_printable_sheet_has_the_children_and_blank_boxes(app, client, day):
    staff_client(client)
    response = client.get(f"{SHEET}/pdf?{_args(day)}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "Liste de pointage" in text and "Jeudi 26 novembre 2026" in text
    assert "Fam0Enfant0" in text and "Trousse au bureau" in text
    assert "Fam1Enfant0" in text and "Fam2Enfant0" not in text
    assert "Présent" in text and "Abs. excusé" in text


def test_attendance_pages_cost_the_same_sql_for_3_or_30_children(app, client, count_queries):
    def grow(start: int, stop: int) -> None:
        with app.test_request_context():
            school = db.session.query(School).first()
            canteen = db.session.query(Service).first()
            for n in range(start, stop):
                fam = enrolled_family(f"P{n}", school, canteen)
                kid = fam.children[0]
                kid.has_pai = n % 2 == 0
                booked(fam, kid, canteen, TODAY)
                booked(fam, kid, canteen, TUESDAY).attendance = Attendance.present
                db.session.commit()

    with app.test_request_context():
        queue_town(families=0)
    grow(0, 3)
    staff_client(client)
    args = "jour={}&ecole=1&service=1"
    urls = [f"{SHEET}/", f"{SHEET}/?{args.format(TUESDAY)}", f"{SHEET}/?q=p1",
            f"{SHEET}/pdf?{args.format(TODAY)}", "/gestion/effectifs-cuisine/",
            "/gestion/effectifs-cuisine/pdf"]

    def statements() -> dict[str, int]:
        counts = {}
        for url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            counts[url] = counter.count
        return counts

    small = statements()
    grow(3, 30)
    assert statements() == small


def test_an_agent_takes_attendance_a_parent_is_refused(app, client, day):
    urls = [f"{SHEET}/", f"{SHEET}/pdf?{_args(day)}", "/gestion/effectifs-cuisine/",
            "/gestion/effectifs-cuisine/pdf"]
    staff_client(client)
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.get("/logout/")
    f.login(client, "parent0")
    for url in urls:
        assert client.get(url).status_code == 403, url
    first = day["bookings"][0]
    assert client.post(f"{SHEET}/enregistrer",
                       data=_form(day, **{f"att-{first}": "present"})).status_code == 403
    assert client.post(f"{SHEET}/ajouter", data=_form(
        day, child=day["kids"][3], family=day["families"][3])).status_code == 403
    with app.app_context():
        assert _booking(first).attendance is None
        assert db.session.query(Booking).filter_by(child_id=day["kids"][3]).count() == 0


def test_attendance_is_in_the_audit_log_with_the_agents_name(app, client, day):
    staff_client(client)
    first = day["bookings"][0]
    client.post(f"{SHEET}/enregistrer", data=_form(day, **{f"att-{first}": "absent_excused"}))
    with app.app_context():
        rows = db.session.query(AuditLog).filter_by(table_name="booking",
                                                    object_id=str(first)).all()
        assert [r.username for r in rows] == ["agent1"]
        assert '"absent_excused"' in rows[0].changes


def _canteen(day) -> Service:
    return db.session.get(Service, day["canteen"])
