"""Mailings: the families chosen by school, class, service or enrolment (checked against a
selection computed here from the raw rows), their preview, the mails received by a real
SMTP server, kept in the outbox while it is down, the alert seen by the chosen families
only, the audit trail, the manager-only pages."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import (
    Alert,
    AuditLog,
    Enrolment,
    Family,
    Guardian,
    Mailing,
    OutgoingMail,
)
from app.security.roles import AGENT, MANAGER
from app.services.errors import CommandError
from app.services.mail import flush_pending_mails
from app.services.mailings.commands import SendMailing
from app.services.mailings.criteria import Criteria
from app.services.mailings.queries import recipients
from tests import factories as f


@pytest.fixture
def world(app):
    """Two schools, two services, six families with classes and enrolments of all states."""
    with app.app_context():
        chalmel, therese = f.school("École Chalmel"), f.school("École Sainte-Thérèse")
        year = f.school_year()
        canteen, care = f.service("cantine"), f.service("garderie", kind="care_evening")
        spec = [  # (marker, school, class, {service: enrolment state}, login)
            ("Alpha", chalmel, "CP", {canteen: "validated"}, "parent.alpha"),
            ("Bravo", chalmel, "CE1", {care: "validated"}, "parent.bravo"),
            ("Charlie", therese, "CP", {canteen: "pending"}, "parent.charlie"),
            ("Delta", therese, "CM2", {canteen: "validated", care: "refused"}, None),
            ("Echo", chalmel, "CP", {}, None),
            ("Foxtrot", therese, "CE1", {care: "validated"}, None),
        ]
        for marker, school, class_name, enrolments, login in spec:
            fam = f.family(marker, school, username=login)
            if login is None:
                db.session.add(Guardian(family=fam, first_name="Tuteur", last_name=marker,
                                        email=f"tuteur.{marker.lower()}@example.org"))
            kid = fam.children[0]
            kid.class_name = class_name
            for service, state in enrolments.items():
                db.session.add(Enrolment(family=fam, child=kid, service=service,
                                         school_id=school.id, school_year=year, state=state))
        db.session.commit()
        f.user("gestionnaire", MANAGER)
        f.user("agent", AGENT)
        ids = {"chalmel": chalmel.id, "therese": therese.id, "canteen": canteen.id,
               "care": care.id, "year": year.id}
    # Outside the app context: each request then has its own `g` (the logged-in user).
    return ids


def _expected(predicate) -> list[str]:
    """The families chosen, computed in Python from the raw rows."""
    names = []
    for fam in db.session.query(Family).order_by(Family.name):
        kids = list(fam.children)
        enrolments = db.session.query(Enrolment).filter_by(family_id=fam.id).all()
        if predicate(kids, enrolments):
            names.append(fam.name)
    return names


def _chosen(criteria: Criteria) -> list[str]:
    return [name for _id, _code, name in recipients(criteria).families]


def test_recipients_by_school_class_service_and_enrolment(app_ctx, world):
    w = world
    cases = [
        (Criteria(school_ids=[w["chalmel"]]),
         lambda kids, enr: any(k.school_id == w["chalmel"] for k in kids)),
        (Criteria(classes=[f"{w['chalmel']}|CP", f"{w['therese']}|CE1"]),
         lambda kids, enr: any((k.school_id, k.class_name) in {(w["chalmel"], "CP"),
                                                               (w["therese"], "CE1")}
                               for k in kids)),
        (Criteria(service_ids=[w["canteen"]], school_year_id=w["year"]),
         lambda kids, enr: any(e.service_id == w["canteen"] and e.state == "validated"
                               for e in enr)),
        (Criteria(enrolment_states=["pending"]),
         lambda kids, enr: any(e.state == "pending" for e in enr)),
        (Criteria(school_ids=[w["therese"]], service_ids=[w["care"]]),
         lambda kids, enr: any(k.school_id == w["therese"] for k in kids)
         and any(e.service_id == w["care"] and e.state == "validated" for e in enr)),
    ]
    for criteria, predicate in cases:
        expected = _expected(predicate)
        assert expected, criteria  # each case chooses someone…
        assert len(expected) < 6, criteria  # …and leaves someone out
        assert _chosen(criteria) == expected, criteria


def test_the_preview_shows_the_recipients_and_their_count(app, client, world):
    f.login(client, "gestionnaire")
    page = client.post("/gestion/publipostage/apercu", data={
        "subject": "Sortie scolaire", "body": "Prévoir un pique-nique.",
        "school": [str(world["therese"])]}).get_data(as_text=True)
    assert "3 familles destinataires" in page
    assert "3 adresses électroniques" in page
    for marker in ("Charlie", "Delta", "Foxtrot"):
        assert f"Famille {marker}" in page
    assert "Famille Alpha" not in page
    with app.app_context():
        assert db.session.query(Mailing).count() == 0  # a preview sends nothing


def test_sent_mailing_reaches_smtp_and_the_chosen_families_only(app, client, world,
                                                               smtp_server):
    f.login(client, "gestionnaire")
    response = client.post("/gestion/publipostage/envoyer", data={
        "subject": "Fermeture exceptionnelle", "body": "La garderie ferme à 17h vendredi.",
        "service": [str(world["care"])]})
    assert response.status_code == 303
    app.extensions["portal_background"].wait()
    assert sorted(smtp_server.recipients()) == ["parent.bravo@example.org",
                                                "tuteur.foxtrot@example.org"]
    assert all(m["Subject"] == "Fermeture exceptionnelle" for m in smtp_server.messages)
    assert "La garderie ferme à 17h vendredi." in smtp_server.messages[0].get_body(
        ("plain",)).get_content()
    with app.app_context():
        mailing = db.session.query(Mailing).one()
        assert (mailing.family_count, mailing.mail_count) == (2, 2)
        audit = db.session.query(AuditLog).filter_by(table_name="mailing",
                                                     action="insert").one()
        assert audit.username == "gestionnaire"
        assert "Fermeture exceptionnelle" in audit.changes
    with app.app_context():
        bravo = db.session.query(Family).filter_by(name="Famille Bravo").one()
        assert [a.title for a in db.session.query(Alert).filter_by(family_id=bravo.id)] == [
            "Fermeture exceptionnelle"]


def test_the_families_chosen_see_it_in_their_alerts_and_no_one_else(app, client, world):
    f.login(client, "gestionnaire")
    client.post("/gestion/publipostage/envoyer", data={
        "subject": "Fermeture exceptionnelle", "body": "La garderie ferme à 17h vendredi.",
        "service": [str(world["care"])]})
    for parent, sees in (("parent.bravo", True), ("parent.alpha", False),
                         ("parent.charlie", False)):
        client.get("/logout/")
        f.login(client, parent)
        page = client.get("/parentalertview/list/").get_data(as_text=True)
        assert "Mes alertes" in page
        assert ("Fermeture exceptionnelle" in page) is sees, parent
    with app.app_context():
        alpha = db.session.query(Family).filter_by(name="Famille Alpha").one()
        assert db.session.query(Alert).filter_by(family_id=alpha.id).count() == 0


def test_smtp_down_keeps_the_mails_in_the_outbox(app, world, smtp_server):
    smtp_server.stop()
    with app.test_request_context():
        SendMailing("Réunion de rentrée", "Jeudi à 18h.",
                    Criteria(school_ids=[world["chalmel"]]), None).run()
        app.extensions["portal_background"].wait()
        mails = db.session.query(OutgoingMail).all()
        assert sorted(m.recipient for m in mails) == [
            "parent.alpha@example.org", "parent.bravo@example.org", "tuteur.echo@example.org"]
        assert {m.state for m in mails} == {"pending"}
    smtp_server.start()
    with app.test_request_context():
        assert flush_pending_mails(force=True) == 3
    assert len(smtp_server.recipients()) == 3


def test_a_mailing_without_message_or_selection_is_refused(app_ctx, world):
    with pytest.raises(CommandError) as refused:
        SendMailing(" ", "", Criteria(), None).run()
    assert refused.value.fields.keys() == {"subject", "body", "criteria"}
    with pytest.raises(CommandError) as refused:
        SendMailing("Objet", "Texte", Criteria(classes=["999|CP"]), None).run()
    assert "Aucune famille ne correspond" in refused.value.message
    assert db.session.query(Mailing).count() == db.session.query(Alert).count() == 0


@pytest.mark.parametrize("username", ["agent", "parent.alpha"])
def test_only_managers_send_mailings(app, client, world, username):
    f.login(client, username)
    assert client.get("/gestion/publipostage/").status_code in (302, 403)
    response = client.post("/gestion/publipostage/envoyer", data={
        "subject": "x", "body": "y", "school": [str(world["chalmel"])]})
    assert response.status_code in (302, 403)
    with app.app_context():
        assert db.session.query(Mailing).count() == 0


def test_the_mailing_page_is_accessible(client, world):
    from tests.test_accessibility import audit

    f.login(client, "gestionnaire")
    page = client.get("/gestion/publipostage/").get_data(as_text=True)
    assert "École Sainte-Thérèse" in page
    assert audit(page) == []
