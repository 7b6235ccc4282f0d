"""« Documents manquants » reminds families in one action, per family or all at once: a mail
per guardian through the outbox (the documents still to send, in French) and an alert; a
family reminded less than a day ago is not reminded again; a parent cannot do it."""

from __future__ import annotations

import html

from app.extensions import db
from app.models import Alert, Guardian, OutgoingMail
from tests import factories as f

MISSING = "/gestion/documents-manquants"


def _mails(app) -> list[OutgoingMail]:
    with app.app_context():
        return db.session.query(OutgoingMail).filter_by(kind="documents_reminder") \
            .order_by(OutgoingMail.id).all()


def _agent(app):
    client = app.test_client()
    f.login(client, "agent")
    return client


def test_one_family_is_reminded_by_mail_and_alert(app, world):
    with app.app_context():
        db.session.add(Guardian(family_id=world.martin_id, first_name="Paul", last_name="Martin",
                                email="paul.martin@example.org"))
        db.session.commit()
    agent = _agent(app)
    page = html.unescape(agent.get(f"{MISSING}/").get_data(as_text=True))
    assert "Relancer toutes les familles de la liste" in page
    assert f'name="family" value="{world.martin_id}"' in page
    response = agent.post(f"{MISSING}/relancer", data={"family": world.martin_id})
    assert response.status_code == 303
    mails = _mails(app)
    assert sorted(m.recipient for m in mails) == ["martin@example.org", "paul.martin@example.org"]
    assert {m.family_id for m in mails} == {world.martin_id}
    body = mails[0].body_text
    assert mails[0].subject == "Documents à transmettre au service"
    assert "Certificat médical (jamais transmis)" in body
    assert "Attestation d'assurance (jamais transmis)" in body and "Mes documents" in body
    with app.app_context():
        alert = db.session.query(Alert).filter_by(family_id=world.martin_id).one()
        assert alert.title == "Documents à transmettre" and "Certificat médical" in alert.message
    listing = html.unescape(agent.get(f"{MISSING}/").get_data(as_text=True))
    assert "1 famille relancée" in listing

    again = agent.post(f"{MISSING}/relancer", data={"family": world.martin_id},
                       follow_redirects=True)
    assert "déjà relancées depuis moins d'un jour" in html.unescape(again.get_data(as_text=True))
    assert len(_mails(app)) == 2  # nothing more


def test_every_family_of_the_list_at_once_and_a_parent_is_refused(app, world):
    parent = app.test_client()
    f.login(parent, "martin")
    assert parent.post(f"{MISSING}/relancer", data={"all": "1"}).status_code in (302, 403)
    assert _mails(app) == []
    app.config["PORTAL_JOBS_INLINE"] = True  # the job ends before the page answers
    try:
        response = _agent(app).post(f"{MISSING}/relancer", data={"all": "1"},
                                    follow_redirects=True)
    finally:
        app.config["PORTAL_JOBS_INLINE"] = False
    assert "2 famille(s) relancée(s), 0 non relancée(s)" in html.unescape(response.text)
    assert {m.family_id for m in _mails(app)} == {world.martin_id, world.voisin_id}
