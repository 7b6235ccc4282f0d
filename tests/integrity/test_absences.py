"""Signaler une absence: a parent declares a booked day absent (even past the cancellation
deadline) with a reason and, for an illness, a medical certificate; staff accept (excused,
not billed) or refuse (billed); the family gets the alert and the mail; the attendance
sheet shows the declaration."""

from __future__ import annotations

import datetime as dt
import html
import io

from lxml import html as lxml_html

from app.extensions import db
from app.models import (
    Alert,
    Attendance,
    Booking,
    DocumentState,
    FamilyDocument,
    OutgoingMail,
    Request,
    RequestKind,
    RequestState,
)
from app.security.roles import AGENT
from app.services.billing.pricing import billable_days
from app.services.upload_active import UploadRefused
from app.services.upload_checks import check_upload
from tests import factories as f
from tests.accounts import samples
from tests.reservations.builders import FRIDAY, town

QUEUE = "/gestion/file-des-demandes"


def _text(response) -> str:
    document = lxml_html.document_fromstring(response.get_data(as_text=True))
    return " ".join(document.body.text_content().split())


def _world(app, families: int = 1):
    """Fam0's child booked on Friday 27/11 (its cancellation deadline has passed)."""
    with app.test_request_context():
        school, canteen, fams = town(families=families)
        for fam in fams:
            kid = fam.children[0]
            f.booking(fam, kid, canteen, FRIDAY)
        f.user("agent1", AGENT)
        db.session.commit()
        bookings = [db.session.query(Booking).filter_by(family_id=fam.id).one().id
                    for fam in fams]
        return {"school": school.id, "canteen": canteen.id, "bookings": bookings,
                "families": [fam.id for fam in fams]}


def _declare(client, booking_id, reason="illness", data=samples.PDF, name="certificat.pdf"):
    form = {"booking": str(booking_id), "reason": reason, "comment": "Gastro"}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post("/famille/absence/signaler", data=form,
                       content_type="multipart/form-data")


def test_an_excused_illness_is_not_billed_and_the_family_is_told(app, client):
    world = _world(app)
    f.login(client, "parent0")
    assert "Signaler une absence" in _text(client.get("/famille/absence/"))
    assert _declare(client, world["bookings"][0]).status_code == 303
    with app.app_context():
        declared = db.session.query(Request).filter_by(kind=RequestKind.absence).one()
        assert declared.state == RequestState.pending and declared.document_id
        request_id = declared.id
    client.get("/logout/")
    f.login(client, "agent1")
    sheet = _text(client.get(f"/gestion/pointage/?jour={FRIDAY}&ecole={world['school']}"
                             f"&service={world['canteen']}"))
    assert "Absence signalée par la famille : Maladie (certificat médical) — Gastro" in sheet
    queue = _text(client.get(f"{QUEUE}/list/"))
    assert "absence signalée" in queue
    client.post(f"{QUEUE}/action_post", data={"action": "validate", "rowid": [str(request_id)]})
    with app.app_context():
        booking = db.session.get(Booking, world["bookings"][0])
        assert booking.attendance == Attendance.absent_excused
        assert billable_days(FRIDAY, FRIDAY) == []
        assert db.session.query(FamilyDocument).one().state == DocumentState.accepted
        alert = db.session.query(Alert).filter_by(family_id=world["families"][0]).one()
        assert "acceptée" in alert.title and "absence signalée" in alert.title
        assert db.session.query(OutgoingMail).filter_by(
            family_id=world["families"][0]).count() >= 1


def test_a_refused_absence_is_billed(app, client):
    world = _world(app)
    f.login(client, "parent0")
    _declare(client, world["bookings"][0], reason="family", data=None)
    client.get("/logout/")
    f.login(client, "agent1")
    with app.app_context():
        request_id = db.session.query(Request).filter_by(kind=RequestKind.absence).one().id
    client.post(f"{QUEUE}/refus", data={"id": [str(request_id)], "reason": "Non justifiée"})
    with app.app_context():
        assert db.session.get(Booking, world["bookings"][0]).attendance == \
            Attendance.absent_unexcused
        assert [d.day for d in billable_days(FRIDAY, FRIDAY)] == [FRIDAY]
        assert db.session.get(Request, request_id).state == RequestState.refused


def test_bad_declarations_are_refused_in_french_and_nothing_is_stored(app, client):
    world = _world(app, families=2)
    f.login(client, "parent0")
    cases = [
        (dict(booking_id=world["bookings"][0], data=None), "Joignez le certificat médical"),
        (dict(booking_id=world["bookings"][0], data=b"Je suis un texte", name="faux.pdf"),
         "n'est pas celui d'un fichier PDF"),
        (dict(booking_id=world["bookings"][1]), "Choisissez un jour réservé"),  # other family
        (dict(booking_id="x"), "Choisissez un jour réservé"),
        (dict(booking_id=world["bookings"][0], reason="vacances"), "Choisissez le motif"),
    ]
    for kwargs, message in cases:
        response = _declare(client, **kwargs)
        assert response.status_code == 400, message
        assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.query(Request).filter_by(kind=RequestKind.absence).count() == 0
        assert db.session.query(FamilyDocument).count() == 0


def test_a_text_file_renamed_pdf_or_doc_is_refused_by_content():
    for name, label in (("certificat.pdf", "PDF"), ("lettre.doc", "Word")):
        try:
            check_upload(name, io.BytesIO(b"Bonjour, ceci est un simple texte.\n" * 20))
        except UploadRefused as refused:
            assert label in refused.message
        else:
            raise AssertionError(f"{name} accepted")


def test_a_day_already_declared_cannot_be_declared_twice(app, client):
    world = _world(app)
    f.login(client, "parent0")
    assert _declare(client, world["bookings"][0], reason="other", data=None).status_code == 303
    again = _declare(client, world["bookings"][0], reason="other", data=None)
    assert "déjà signalée" in html.unescape(again.get_data(as_text=True))
    assert dt.date(2026, 11, 27) == FRIDAY
