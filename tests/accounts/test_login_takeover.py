"""Issue 10, finding 1: staff cannot re-route an active login. An agent may edit a guardian's
contact address, but the invitation of an active login is refused (its link would go to the
edited address); a login's address changes only by its owner, confirmed from the new address
with a notice to the old one; admins cannot edit a login's address; every change is audited.
"""

from __future__ import annotations

import json
import re

import pytest

from app.extensions import db
from app.models import AuditLog, Guardian, User
from app.models.base import utcnow
from app.security.roles import ADMIN
from tests import factories as f

ACCOUNT = "/famille/compte"
CONFIRM = re.compile(r"https?://[^/\s]+(/compte/adresse/[A-Za-z0-9_\-]+)")
RESET = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/[A-Za-z0-9_\-]+)")


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _martin(app) -> tuple[int, int]:
    with app.app_context():
        guardian = db.session.query(Guardian).join(User).filter(User.username == "martin").one()
        return guardian.id, guardian.user_id


def _activate(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).last_login = utcnow()
        db.session.commit()


def test_an_agent_cannot_take_over_an_active_login_by_editing_the_address(
        app, client, world, smtp_server):
    guardian_id, user_id = _martin(app)
    _activate(app, user_id)
    f.login(client, "agent")
    edit = client.post(f"/gestion/responsables/edit/{guardian_id}", data={
        "family": world.martin_id, "first_name": "Claire", "last_name": "Martin",
        "email": "pirate@example.org", "relationship_label": "", "phone_mobile": "",
        "phone_work": ""})
    assert edit.status_code in (302, 303)  # a contact address: staff may change it
    refused = client.post(f"/gestion/comptes/{guardian_id}/invitation", follow_redirects=True)
    assert "déjà actif" in refused.get_data(as_text=True)
    assert "pirate@example.org" not in smtp_server.recipients()
    with app.app_context():
        assert db.session.get(User, user_id).email == "martin@example.org"
        assert db.session.get(Guardian, guardian_id).email == "pirate@example.org"
    # The forgotten-password link still goes to the login's own address only.
    app.test_client().post("/compte/mot-de-passe-oublie", data={"email": "pirate@example.org"})
    app.extensions["portal_background"].wait()
    assert "pirate@example.org" not in smtp_server.recipients()


def test_an_invitation_not_used_yet_goes_to_the_corrected_address(
        app, client, world, smtp_server):
    guardian_id, user_id = _martin(app)
    with app.app_context():
        db.session.get(Guardian, guardian_id).email = "claire.corrigee@example.org"
        db.session.commit()
    f.login(client, "agent")
    client.post(f"/gestion/comptes/{guardian_id}/invitation")
    assert smtp_server.recipients() == ["claire.corrigee@example.org"]
    with app.app_context():
        assert db.session.get(User, user_id).email == "claire.corrigee@example.org"
        entry = db.session.query(AuditLog).filter_by(table_name="ab_user", action="update").one()
        assert json.loads(entry.changes)["email"] == ["martin@example.org",
                                                      "claire.corrigee@example.org"]


def test_the_owner_changes_the_login_address_only_from_the_new_address(
        app, world, smtp_server):
    guardian_id, user_id = _martin(app)
    parent = app.test_client()
    f.login(parent, "martin")
    response = parent.post(f"{ACCOUNT}/responsable", data={
        "guardian": guardian_id, "phone_mobile": "06 12 34 56 78", "phone_work": "",
        "email": "nouveau.martin@example.org"})
    assert response.status_code == 303
    assert "Un lien de confirmation" in parent.get(f"{ACCOUNT}/").get_data(as_text=True)
    assert sorted(smtp_server.recipients()) == ["martin@example.org",
                                                "nouveau.martin@example.org"]
    with app.app_context():
        guardian = db.session.get(Guardian, guardian_id)
        assert guardian.phone_mobile == "06 12 34 56 78"  # contact details: at once
        assert guardian.email == guardian.user.email == "martin@example.org"  # not yet
    confirm = next(m for m in smtp_server.messages if m["To"] == "nouveau.martin@example.org")
    link = CONFIRM.search(_text(confirm)).group(1)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200  # a mail scanner opening it changes nothing
    assert visitor.post(link).status_code == 303
    assert visitor.post(link).status_code == 410  # single use
    with app.app_context():
        guardian = db.session.get(Guardian, guardian_id)
        assert guardian.email == guardian.user.email == "nouveau.martin@example.org"
        actions = [e.action for e in db.session.query(AuditLog).order_by(AuditLog.id)
                   if e.object_id == str(user_id)]
        assert actions == ["email_ask", "email_set"]
    notices = [m for m in smtp_server.messages if m["To"] == "martin@example.org"]
    assert len(notices) == 2 and "désormais nouveau.martin@example.org" in _text(notices[1])


def test_another_guardian_of_the_family_cannot_change_my_login_address(app, world):
    guardian_id, user_id = _martin(app)
    with app.app_context():
        other = f.user("paul", "Parent", email="paul@example.org")
        db.session.add(Guardian(family_id=world.martin_id, first_name="Paul",
                                last_name="Martin", email="paul@example.org",
                                user_id=other.id))
        db.session.commit()
    client = app.test_client()
    f.login(client, "paul")
    refused = client.post(f"{ACCOUNT}/responsable", data={
        "guardian": guardian_id, "phone_mobile": "", "phone_work": "",
        "email": "paul.pirate@example.org"})
    assert refused.status_code == 400
    assert "Seul ce responsable légal" in refused.get_data(as_text=True)


@pytest.mark.parametrize("field", ["email"])
def test_admins_cannot_edit_a_logins_address(app, client, world, field):
    with app.app_context():
        f.user("chef", ADMIN)
    _guardian_id, user_id = _martin(app)
    f.login(client, "chef")
    form = client.get(f"/users/edit/{user_id}").get_data(as_text=True)
    assert f'name="{field}"' not in form
    client.post(f"/users/edit/{user_id}", data={
        "first_name": "Claire", "last_name": "Martin", "username": "martin", "active": "y",
        "email": "pirate@example.org", "roles": []})
    with app.app_context():
        assert db.session.get(User, user_id).email == "martin@example.org"
