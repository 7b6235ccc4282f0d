"""Each family chooses which alerts also come by mail; the alert itself always shows."""

from __future__ import annotations

from app.extensions import db
from app.models import Alert, Family
from app.services.alerts import MAIL_KINDS, alert_family
from tests import factories as f


def test_a_family_turns_off_the_mails_of_one_kind_of_alert(app, world, smtp_server):
    parent = app.test_client()
    f.login(parent, "martin")
    page = parent.get("/famille/compte/").get_data(as_text=True)
    assert page.count('name="kinds"') == len(MAIL_KINDS) and "checked" in page

    kept = [kind for kind in MAIL_KINDS if kind != "waiting_list"]
    response = parent.post("/famille/compte/courriels",
                           data={"preferences": "1", "kinds": kept})
    assert response.status_code == 303

    with app.test_request_context():
        assert db.session.get(Family, world.martin_id).mail_alerts_off == "waiting_list"
        alert_family(world.martin_id, "Une place s'est libérée", "Jeudi", kind="waiting_list")
        alert_family(world.martin_id, "Demande acceptée", "Vendredi", kind="request_decision")
        db.session.commit()
        alerts = {a.title: a.mailed for a in db.session.query(Alert)}
    assert alerts == {"Une place s'est libérée": False, "Demande acceptée": True}
    assert [m["Subject"] for m in smtp_server.messages] == ["Demande acceptée"]
    page = parent.get("/famille/compte/").get_data(as_text=True)
    assert 'value="waiting_list">' in page and 'value="request_decision" checked>' in page


def test_by_default_every_alert_is_mailed(app, world, smtp_server):
    with app.test_request_context():
        alert_family(world.voisin_id, "Information", "Fermeture exceptionnelle")
        db.session.commit()
    assert smtp_server.recipients() == ["voisin@example.org"]
