"""The mail of a decision on a request greets the guardian by name, says the decision in
full (what, which day, which child, why) and links to the alert's page; its subject reads
right once received."""

from __future__ import annotations

from app.extensions import db
from app.models import Alert
from app.services.reservations.decide import DecideRequests
from tests.staff.data import late_request, queue_town


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_refusal_mail_says_everything_and_links_to_the_alert(app, smtp_server):
    with app.test_request_context():
        _school, canteen, (fam, _other) = queue_town(families=2)
        kid = fam.children[0]
        request = late_request(fam, kid, canteen)
        summary, child = request.summary, kid.first_name
        DecideRequests([request.id], "refuse", None, reason="Effectif complet ce jour").run()
        alert_id = db.session.query(Alert.id).filter_by(request_id=request.id).scalar()
    (message,) = smtp_server.messages
    assert message["Subject"] == f"Demande refusée : {summary}"
    assert message["To"] == "parent0@example.org"
    body = _body(message)
    assert body.splitlines()[4] == "Bonjour Fam0Parent Fam0,"
    assert f"Le service a refusé votre demande « {summary} » pour {child}" in body
    assert "27/11" in summary or "vendredi" in summary.lower()  # the day is in the summary
    assert "Motif : Effectif complet ce jour" in body
    assert f"/parentalertview/show/{alert_id}" in body
    html = message.get_body(("html",)).get_content()
    assert f'href="http://localhost/parentalertview/show/{alert_id}"' in html
    assert "Bonjour Fam0Parent Fam0," in html


def test_a_subject_with_french_quotes_reads_right(app, smtp_server):
    """« au service « Accueil » »: the spaces around the guillemets survive the encoding."""
    from app.services.alerts import alert_family

    with app.test_request_context():
        _school, _canteen, (fam,) = queue_town(families=1)
        title = "Inscription de Lina au service « Accueil » (2026-2027) : demande acceptée"
        alert_family(fam.id, title, "Validée.")
        db.session.commit()
    (message,) = smtp_server.messages
    assert message["Subject"] == title
