"""Alertes, Mes demandes and Historique et présences are French pages: one card per item,
dates in words in Paris time, no FAB English labels; opening an alert marks it read,
« Tout marquer comme lu » marks the family's own; another family's items are 404."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from app.extensions import db
from app.models import Alert, Attendance, Request, RequestState
from tests import factories as f

ENGLISH = ("Family", "Requested At", "Unbooked", "__None", "Created At", "Read At", "List",
           "Record Count", "Actions")


def _town(app):
    with app.app_context():
        school = f.school("École Chalmel")
        canteen = f.service("cantine", schools=[school])
        mine = f.family("Durand", school, username="durand")
        other = f.family("Autre", school, username="autre")
        first = f.alert(mine, "Réservation validée")
        first.created_at = dt.datetime(2026, 12, 1, 19, 35, 12, 123456)
        first.message = "Votre demande pour Lina le lundi 7 décembre est validée."
        f.alert(mine, "Seconde alerte")
        theirs = f.alert(other, "Alerte de l'autre famille")
        refused = f.request_row(mine, mine.children[0], "Cantine du vendredi 4 décembre")
        refused.state, refused.reason = RequestState.refused, "Cantine complète ce jour-là."
        refused.decided_at = dt.datetime(2026, 12, 2, 8, 5)
        other_request = f.request_row(other, other.children[0], "Demande de l'autre")
        booking = f.booking(mine, mine.children[0], canteen, dt.date(2026, 12, 1))
        booking.attendance = Attendance.absent_excused
        other_booking = f.booking(other, other.children[0], canteen, dt.date(2026, 12, 1))
        db.session.commit()
        return {"first": first.id, "theirs": theirs.id, "refused": refused.id,
                "other_request": other_request.id, "booking": booking.id,
                "other_booking": other_booking.id}


def _text(response) -> str:
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return " ".join(document.xpath("//main")[0].text_content().split()) if document.xpath(
        "//main") else " ".join(document.text_content().split())


def _cards(response) -> list:
    return lxml_html.document_fromstring(response.get_data(as_text=True)).xpath(
        "//li[contains(@class, 'hist-card')]")


def test_alerts_page_is_french_cards_and_opening_one_marks_it_read(app, client):
    ids = _town(app)
    f.login(client, "durand")
    page = client.get("/parentalertview/list/")
    assert page.status_code == 200
    text = _text(page)
    assert "Mes alertes" in text and "2 alertes non lues." in text
    assert "reçue le mardi 1 décembre à 20 h 35" in text  # 19:35:12.123456 UTC
    assert "19:35" not in text and "123456" not in text
    assert not [word for word in ENGLISH if word in text]
    assert len(_cards(page)) == 2 and "Alerte de l'autre famille" not in text

    opened = client.get(f"/parentalertview/show/{ids['first']}")
    assert "Votre demande pour Lina le lundi 7 décembre est validée." in _text(opened)
    with app.app_context():
        assert db.session.get(Alert, ids["first"]).read_at is not None
    assert "1 alerte non lue." in _text(client.get("/parentalertview/list/"))

    # Another family's alert: not found, and left unread.
    assert client.get(f"/parentalertview/show/{ids['theirs']}").status_code == 404
    # « Tout marquer comme lu » posts the unread alerts the page listed; another family's
    # id added to the form changes nothing.
    page = lxml_html.document_fromstring(
        client.get("/parentalertview/list/").get_data(as_text=True))
    listed = page.xpath("//form[contains(@action, 'tout-lu')]//input[@name='rowid']/@value")
    assert len(listed) == 1
    done = client.post("/parentalertview/tout-lu", follow_redirects=True,
                       data={"rowid": [*listed, str(ids["theirs"])]})
    assert "1 alerte marquée comme lue." in _text(done)
    assert "Aucune alerte non lue." in _text(done)
    assert "Tout marquer comme lu" not in _text(done)
    with app.app_context():
        assert db.session.get(Alert, ids["theirs"]).read_at is None
        assert db.session.query(Alert).filter(Alert.read_at.is_(None)).count() == 1


def test_requests_page_shows_state_reason_and_dates_in_words(app, client):
    ids = _town(app)
    f.login(client, "durand")
    page = client.get("/parentrequestview/list/")
    text = _text(page)
    assert "Cantine du vendredi 4 décembre" in text and "Refusée" in text
    assert "Motif : Cantine complète ce jour-là." in text
    assert "Réponse le mercredi 2 décembre à 9 h 05" in text
    assert "Demande de l'autre" not in text
    assert not [word for word in ENGLISH if word in text]
    one = client.get(f"/parentrequestview/show/{ids['refused']}")
    assert one.status_code == 200 and "Cantine complète" in _text(one)
    assert client.get(f"/parentrequestview/show/{ids['other_request']}").status_code == 404
    with app.app_context():
        assert db.session.get(Request, ids["other_request"]).state == RequestState.pending


def test_history_lists_the_familys_days_in_words(app, client, count_queries):
    ids = _town(app)
    f.login(client, "durand")
    client.get("/parentbookingview/list/")
    with count_queries() as counter:
        page = client.get("/parentbookingview/list/")
    text = _text(page)
    assert "mardi 1 décembre" in text and "Présence : Absent excusé" in text
    assert "Réservation : Réservé" in text and "DurandEnfant0" in text
    assert "AutreEnfant0" not in text
    assert not [word for word in ENGLISH if word in text]
    assert len(_cards(page)) == 1
    assert len(counter.statements) <= 12
    assert "mardi 1 décembre" in _text(client.get(f"/parentbookingview/show/{ids['booking']}"))
    assert client.get(f"/parentbookingview/show/{ids['other_booking']}").status_code == 404
