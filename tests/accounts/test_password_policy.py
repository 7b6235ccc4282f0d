"""Issue 10, finding 6 and finding 14's weak passwords: one password form and one policy for
everyone (current password, CNIL length rules, a zxcvbn estimate, a list of common
passwords); FAB's own reset forms are closed."""

from __future__ import annotations

import html

import pytest
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import User
from app.security.passwords import password_problems
from app.security.roles import ADMIN, AGENT, MANAGER
from tests import factories as f

PAGE = "/compte/mon-mot-de-passe/"
STRONG = "Cinq-Chats-Gris-Sur-Le-Toit-2026"

#: 12 characters or more, yet guessed at once: each one was accepted before.
WEAK_TWELVE = [
    "abcdefghijkl", "Motdepasse12", "Azerty123456", "Azertyuiop1!", "Portail2026!",
    "Bonjour2026!", "Password123!", "Qwerty123456!", "Marseille2026", "aaaaaaaaaaaa1A!",
    "Soleil-2026!", "Cantine-2026",
]


@pytest.mark.parametrize("password", WEAK_TWELVE)
def test_weak_passwords_of_twelve_characters_are_refused(app_ctx, password):
    assert password_problems(password), f"{password!r} must be refused"


@pytest.mark.parametrize("password", [
    "Parent-Demo-2026", "Cinq-Chats-Gris-Sur-Le-Toit-2026", "7hX!q2Lm#Vp9",
    "mon chat dort sur le canapé bleu",  # a passphrase of 7 words
    "Tartines1Confiture2Abricot",  # 14+ characters of three kinds
])
def test_strong_passwords_are_accepted(app_ctx, password):
    assert password_problems(password) == []


def test_the_cnil_length_rules(app_ctx):
    assert password_problems("Kq8#mZ2!vR")  # 10 characters of four kinds: too short
    assert password_problems("Tartinesconfi")  # 13 characters of two kinds
    assert password_problems("bleu vert rouge jaune noir")  # 5 words only


@pytest.mark.parametrize("role", [AGENT, MANAGER, ADMIN])
def test_fab_reset_forms_are_closed_for_every_role(app, client, role):
    with app.app_context():
        user = f.user("personnel", role)
        user_id = user.id
        before = user.password
    f.login(client, "personnel")
    for url in ("/resetmypassword/form", f"/resetpassword/form?pk={user_id}"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"password": "a", "conf_password": "a"}).status_code \
            == 404
    with app.app_context():
        assert db.session.get(User, user_id).password == before


@pytest.mark.parametrize("role", [AGENT, ADMIN])
def test_staff_change_their_password_with_the_one_form(app, client, role):
    with app.app_context():
        f.user("personnel", role)
    f.login(client, "personnel")
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="current"' in page.get_data(as_text=True)
    for data, message in [
        ({"current": "", "password": STRONG, "confirm": STRONG},
         "Le mot de passe actuel est incorrect"),
        ({"current": f.PASSWORD, "password": "a", "confirm": "a"}, "au moins 12 caractères"),
        ({"current": f.PASSWORD, "password": "Azertyuiop1!", "confirm": "Azertyuiop1!"},
         "trop facile à deviner"),
    ]:
        refused = client.post(PAGE, data=data)
        assert refused.status_code == 400
        assert message in html.unescape(refused.get_data(as_text=True))
    assert client.post(PAGE, data={"current": f.PASSWORD, "password": STRONG,
                                   "confirm": STRONG}).status_code == 303
    with app.app_context():
        user = db.session.query(User).filter_by(username="personnel").one()
        assert check_password_hash(user.password, STRONG)


def test_the_menu_links_to_the_one_password_form(app, client):
    with app.app_context():
        f.user("personnel", AGENT)
    f.login(client, "personnel")
    page = client.get("/gestion/").get_data(as_text=True)
    assert f'href="{PAGE}"' in page and "/resetmypassword/" not in page


def test_an_admin_creating_a_login_gets_the_same_policy(app, client):
    with app.app_context():
        f.user("chef", ADMIN)
        role_id = app.appbuilder.sm.find_role(AGENT).id
    f.login(client, "chef")
    form = {"first_name": "Nouvel", "last_name": "Agent", "username": "nouvel.agent",
            "email": "nouvel.agent@example.org", "active": "y", "roles": [role_id]}
    refused = client.post("/users/add", data={**form, "password": "a", "conf_password": "a"})
    assert "au moins 12 caractères" in html.unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.query(User).filter_by(username="nouvel.agent").count() == 0
    client.post("/users/add", data={**form, "password": STRONG, "conf_password": STRONG})
    with app.app_context():
        assert db.session.query(User).filter_by(username="nouvel.agent").count() == 1
