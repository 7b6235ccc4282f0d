"""Finding 11: inputs that used to answer 500. Each one now gets a French 4xx page (or JSON
for the API) and changes nothing: an expired or missing CSRF token, an upload over the size
limit (413), a NUL byte in any field or filter, a note over 255 characters, an unknown sort
column, a filter of 500 nested parentheses, a page number of 20 digits, an oversized id."""

from __future__ import annotations

import io
import time

import pytest
from flask_wtf.csrf import generate_csrf

from app.extensions import db
from app.models import Booking, Child, Request
from app.security.roles import ADMIN
from tests import factories as f
from tests.parent.planning_data import MONDAY, fixed_now, planning_town  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixed_now")
HUGE = "9" * 20


@pytest.fixture
def town(app, monkeypatch):
    # Production behaviour: an exception becomes the 500 page instead of failing the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with app.app_context():
        _school, [canteen], fams = planning_town(families=1)
        f.user("chef", ADMIN)
        return {"canteen": canteen.id, "child": fams[0].children[0].id, "family": fams[0].id}


def _french(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.is_json:
        assert response.json.get("message"), response.json
    else:
        text = response.get_data(as_text=True)
        assert 'lang="fr"' in text or response.status_code in (301, 302, 303)


def _snapshot() -> tuple:
    db.session.expire_all()
    return (db.session.query(Booking).count(), db.session.query(Request).count(),
            [(c.allergies, c.medical_notes) for c in db.session.query(Child).all()])


def test_missing_and_expired_csrf_tokens_get_the_french_page(app, client, town, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    missing = client.post("/login/", data={"username": "chef", "password": f.PASSWORD})
    assert missing.status_code == 400 and "Page expirée" in missing.get_data(as_text=True)
    _french(missing)

    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 1)
    page = client.get("/login/").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    time.sleep(2.1)
    expired = client.post("/login/", data={"username": "chef", "password": f.PASSWORD,
                                           "csrf_token": token})
    _french(expired)
    assert expired.status_code in (400, 302)
    assert client.get("/gestion/").status_code != 200  # not logged in


def test_forged_csrf_token_on_a_parent_form_changes_nothing(app, client, town, monkeypatch):
    f.login(client, "parent0")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context():
        foreign = generate_csrf()
    with app.app_context():
        before = _snapshot()
    response = client.post("/famille/compte/sante", data={
        "child": str(town["child"]), "allergies": "arachide", "csrf_token": foreign})
    assert response.status_code == 400
    _french(response)
    with app.app_context():
        assert _snapshot() == before


def test_an_upload_over_the_size_limit_gets_the_french_413_page(app, client, town):
    f.login(client, "parent0")
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024))
    response = client.post("/famille/documents/transmettre",
                           data={"document_type": "1", "file": (big, "gros.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
    _french(response)


NUL_POSTS = [
    ("/login/", {"username": "parent0\x00", "password": f.PASSWORD}),
    ("/compte/mot-de-passe-oublie", {"email": "parent0@example.org\x00"}),
    ("/famille/compte/sante", {"child": "CHILD", "allergies": "arachide\x00", "diet": ""}),
    ("/famille/compte/sante", {"child": "CHILD", "medical_notes": "x", "diet": "\x00"}),
    ("/famille/compte/coordonnees", {"address": "1 rue\x00", "email": "a@example.org"}),
]


@pytest.mark.parametrize(("url", "form"), NUL_POSTS, ids=[p[0] + str(i) for i, p in
                                                          enumerate(NUL_POSTS)])
def test_a_nul_byte_in_any_field_is_refused_and_changes_nothing(app, client, town, url, form):
    if not url.startswith(("/login", "/compte")):
        f.login(client, "parent0")
    data = {k: v.replace("CHILD", str(town["child"])) for k, v in form.items()}
    with app.app_context():
        before = _snapshot()
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "caractère invalide" in response.get_data(as_text=True)
    _french(response)
    with app.app_context():
        assert _snapshot() == before


def test_a_nul_byte_in_a_filter_or_json_is_refused(app, client, town):
    f.login(client, "chef")
    listing = client.get("/gestion/familles/list/?_flt_0_name=Dup%00ont")
    assert listing.status_code == 400
    _french(listing)
    f.login(client, "parent0")
    api = client.post("/api/v1/bookings/change", json={
        "child_id": town["child"], "service_id": town["canteen"], "day": MONDAY.isoformat(),
        "action": "book", "note": "midi\x00"})
    assert api.status_code == 400 and api.is_json
    with app.app_context():
        assert _snapshot()[0] == 0


def test_a_note_over_255_characters_on_book_is_refused_in_french(app, client, town):
    f.login(client, "parent0")
    response = client.post("/api/v1/bookings/change", json={
        "child_id": town["child"], "service_id": town["canteen"], "day": MONDAY.isoformat(),
        "action": "book", "note": "n" * 256})
    assert response.status_code == 400
    assert "255 caractères" in response.json["message"]
    with app.app_context():
        assert _snapshot()[0] == 0


STAFF_URLS = [
    "/gestion/familles/list/?_oc_StaffFamilyView=_oc_nope&_od_StaffFamilyView=asc",
    "/gestion/familles/list/?_oc_StaffFamilyView=password&_od_StaffFamilyView=desc",
    "/gestion/familles/list/?_oc_StaffFamilyView=name&_od_StaffFamilyView=sideways",
    f"/gestion/familles/list/?page_StaffFamilyView={HUGE}",
    "/gestion/familles/list/?page_StaffFamilyView=-3",
    f"/gestion/familles/list/?psize_StaffFamilyView={HUGE}",
    "/gestion/familles/list/?psize_StaffFamilyView=-5",
    f"/gestion/familles/show/{HUGE}",
    f"/gestion/familles/edit/{HUGE}",
    f"/gestion/familles/csv?page_StaffFamilyView={HUGE}",
    "/gestion/familles/list/?_flt_0_name=" + "(" * 500 + ")" * 500,
]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_odd_sort_page_and_id_values_never_give_a_5xx(app, client, town, url):
    f.login(client, "chef")
    _french(client.get(url))


API_URLS = [
    "/api/v1/bookings/?q=" + "(" * 500 + ")" * 500,
    "/api/v1/bookings/?q=(filters:!(" + "!(" * 500 + "))",
    f"/api/v1/bookings/?q=(page:{HUGE},page_size:10)",
    "/api/v1/bookings/?q=(order_column:_oc_nope,order_direction:asc)",
    f"/api/v1/bookings/{HUGE}",
    "/api/v1/bookings/?q=(filters:!((col:day,opr:eq,value:" + HUGE + ")))",
]


@pytest.mark.parametrize("url", API_URLS)
def test_odd_rest_queries_never_give_a_5xx(app, client, town, url):
    f.login(client, "parent0")
    _french(client.get(url))


def test_an_oversized_id_in_the_booking_json_is_refused(app, client, town):
    f.login(client, "parent0")
    response = client.post("/api/v1/bookings/change", json={
        "child_id": 10**20, "service_id": 10**20, "day": MONDAY.isoformat(), "action": "book"})
    assert response.status_code == 400 and response.is_json
