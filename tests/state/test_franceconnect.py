"""FranceConnect against the stand-in provider: link once, log in, the refusals (forged
state, replayed code, wrong nonce, identity mismatch), logout of both sessions, staff."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import requests

from app.extensions import db
from app.models import AccountToken, FranceConnectLink, Guardian, TokenPurpose
from app.services.accounts import issue_token
from tests import factories as f
from tests.billing.builders import town
from tests.standins import ProviderBrowser, fc_login, local, provider_sessions, start

from .builders import claire, guardian_family

pytestmark = pytest.mark.usefixtures("fc_on")


def _link_claire(client) -> None:
    f.login(client, "claire.martin")
    response, _url, browser = fc_login(client, "claire.martin", "/franceconnect/lier")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/famille/compte/#franceconnect")
    logout = client.get("/logout/", follow_redirects=False)
    back = browser.http.get(logout.headers["Location"], allow_redirects=False, timeout=5)
    client.get(local(back.headers["Location"]))
    client.get("/login/")  # shows (and empties) the flashed messages


def _flashes(client) -> str:
    with client.session_transaction() as session:
        return " ".join(message for _cat, message in session.get("_flashes", []))


def test_the_login_page_shows_franceconnects_button(app, client):
    body = client.get("/login/").get_data(as_text=True)
    assert "S’identifier avec" in body and "FranceConnect" in body
    assert "Qu’est-ce que FranceConnect ?" in body


def test_the_button_is_hidden_when_franceconnect_is_off(app, client):
    app.config["FRANCECONNECT_ENABLED"] = False
    body = client.get("/login/").get_data(as_text=True)
    assert "S’identifier avec" not in body
    assert client.post("/franceconnect/connexion").status_code == 404
    app.config["FRANCECONNECT_ENABLED"] = True


def test_a_parent_links_once_then_logs_in_and_lands_on_the_parent_space(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    with app.app_context():
        link = db.session.query(FranceConnectLink).one()
        assert (link.given_name, link.family_name) == ("Claire Anne", "MARTIN")
    response, _url, _browser = fc_login(client, "claire.martin")
    assert response.status_code == 302
    home = client.get(response.headers["Location"])
    assert home.status_code == 302 and home.headers["Location"].endswith("/famille/")
    page = client.get("/famille/")
    assert page.status_code == 200
    with app.app_context():
        assert db.session.query(FranceConnectLink).one().last_login_at is not None


def test_an_identity_never_linked_is_refused_in_french(app, client):
    with app.app_context():
        claire()
    response, _url, _browser = fc_login(client, "claire.martin")
    assert response.headers["Location"].endswith("/login/")
    assert "n'est liée à aucun compte" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_an_identity_mismatch_is_refused_and_links_nothing(app, client):
    with app.app_context():
        guardian_family("Claire", "Martin", None, "claire.martin")
    f.login(client, "claire.martin")
    response, _url, _browser = fc_login(client, "paul.durand", "/franceconnect/lier")
    assert response.headers["Location"].endswith("#franceconnect")
    assert "ne correspond pas" in _flashes(client)
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 0


def test_a_different_birth_date_is_a_mismatch(app, client):
    with app.app_context():
        claire(born=dt.date(1986, 4, 13))
    f.login(client, "claire.martin")
    fc_login(client, "claire.martin", "/franceconnect/lier")
    assert "ne correspond pas" in _flashes(client)
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 0


def test_a_missing_birth_date_is_taken_from_franceconnect(app, client):
    with app.app_context():
        claire(born=None)
    _link_claire(client)
    with app.app_context():
        guardian = db.session.query(Guardian).one()
        assert guardian.birth_date.isoformat() == "1986-04-12"


def test_a_forged_state_is_refused(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    callback = ProviderBrowser().choose(start(client), "claire.martin")
    forged = local(callback).replace("state=", "state=forged")
    response = client.get(forged)
    assert response.headers["Location"].endswith("/login/")
    assert "state" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_a_callback_without_a_login_under_way_is_refused(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    callback = ProviderBrowser().choose(start(client), "claire.martin")
    other = app.test_client()  # another browser replays the answer: no state of its own
    response = other.get(local(callback))
    assert response.headers["Location"].endswith("/login/")
    assert other.get("/famille/").status_code in (302, 403)


def test_a_replayed_code_is_refused(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    response, callback, _browser = fc_login(client, "claire.martin")
    assert client.get(response.headers["Location"]).headers["Location"].endswith("/famille/")
    client.get("/logout/")
    # The same code again, in a flow with a valid state of its own.
    fresh = ProviderBrowser().choose(start(client), "claire.martin")
    state = local(fresh).split("state=")[1]
    replay = local(callback).split("&state=")[0] + f"&state={state}"
    response = client.get(replay)
    assert response.headers["Location"].endswith("/login/")
    assert "déjà utilisé ou expiré" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_a_wrong_nonce_is_refused(app, client, provider):
    with app.app_context():
        claire()
    _link_claire(client)
    start(client)  # the portal's flow: its state and nonce in the session
    with client.session_transaction() as session:
        state = session["fc_flow"]["state"]
    # A code obtained for another nonce (an attacker's own flow), injected with our state.
    attacker = f"{provider.url}/api/v2/authorize?response_type=code&client_id=portail-tests" \
        f"&redirect_uri=http%3A%2F%2Flocalhost%2Ffranceconnect%2Fretour&scope=openid+" \
        f"given_name+family_name+birthdate&state={state}&nonce={'n' * 40}"
    callback = ProviderBrowser().choose(attacker, "claire.martin")
    response = client.get(local(callback))
    assert response.headers["Location"].endswith("/login/")
    assert "jeton invalide" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_logout_ends_the_portal_and_the_franceconnect_sessions(app, client, provider):
    with app.app_context():
        claire()
    _link_claire(client)
    response, _url, browser = fc_login(client, "claire.martin")
    client.get(response.headers["Location"])
    assert "claire.martin" in provider_sessions(provider)
    logout = client.get("/logout/")
    assert logout.status_code == 302
    end_session = logout.headers["Location"]
    assert end_session.startswith(f"{provider.url}/api/v2/session/end?id_token_hint=")
    back = browser.http.get(end_session, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    assert "claire.martin" not in provider_sessions(provider)
    done = client.get(local(back.headers["Location"]))
    assert done.headers["Location"].endswith("/login/")
    assert "déconnecté du portail et de FranceConnect" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_a_cancelled_login_changes_nothing(app, client, provider):
    with app.app_context():
        claire()
    authorize = start(client)
    browser = ProviderBrowser()
    page = browser.http.get(authorize, timeout=5)
    action = page.text.split('<form method="post" action="')[1].split('"')[0]
    answer = browser.http.post(provider.url + action, data={"cancel": "1"},
                               allow_redirects=False, timeout=5)
    response = client.get(local(answer.headers["Location"]))
    assert response.headers["Location"].endswith("/login/")
    assert "annulée" in _flashes(client)


def test_the_invitation_link_links_and_logs_in_once(app, client):
    with app.app_context():
        fam = claire()
        user = fam.guardians[0].user
        token, _row = issue_token(user, TokenPurpose.invite)
        db.session.commit()
    page = client.get(f"/compte/mot-de-passe/{token}").get_data(as_text=True)
    assert "FranceConnect" in page
    response, _url, _browser = fc_login(client, "claire.martin",
                                        f"/franceconnect/invitation/{token}")
    assert client.get(response.headers["Location"]).headers["Location"].endswith("/famille/")
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 1
        assert db.session.query(AccountToken).one().used_at is not None
    client.get("/logout/")
    again, _url, _browser = fc_login(client, "claire.martin",
                                     f"/franceconnect/invitation/{token}")
    assert "plus valable" in _flashes(client)


def test_staff_see_linked_guardians_and_unlink(app, client):
    with app.app_context():
        claire()
        f.user("agent1", "Agent")
    _link_claire(client)
    f.login(client, "agent1")
    page = client.get("/gestion/franceconnect/").get_data(as_text=True)
    assert "Claire Martin" in page
    with app.app_context():
        link_id = db.session.query(FranceConnectLink.id).scalar()
    assert client.post(f"/gestion/franceconnect/{link_id}/supprimer").status_code == 303
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 0
    client.get("/logout/")
    fc_login(client, "claire.martin")
    assert "n'est liée à aucun compte" in _flashes(client)


def test_a_parent_cannot_unlink_through_the_staff_page(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    f.login(client, "claire.martin")
    with app.app_context():
        link_id = db.session.query(FranceConnectLink.id).scalar()
    assert client.post(f"/gestion/franceconnect/{link_id}/supprimer").status_code in (302, 403)
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 1


def test_tokens_and_codes_are_never_logged(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        claire()
    _link_claire(client)
    response, callback, _browser = fc_login(client, "claire.martin")
    code = local(callback).split("code=")[1].split("&")[0]
    with client.session_transaction() as session:
        id_token = session["fc_id_token"]
    logged = caplog.text
    assert code not in logged and id_token not in logged
    assert id_token.split(".")[1] not in logged


def test_two_guardians_cannot_share_one_identity(app, client):
    with app.app_context():
        school = town().school
        claire(school)
        guardian_family("Claire", "Martin", None, "claire.bis", school)
    _link_claire(client)
    f.login(client, "claire.bis")
    fc_login(client, "claire.martin", "/franceconnect/lier")
    assert "déjà liée à un autre compte" in _flashes(client)
    with app.app_context():
        assert db.session.query(FranceConnectLink).count() == 1


def test_a_deactivated_account_cannot_log_in_with_franceconnect(app, client):
    with app.app_context():
        claire()
    _link_claire(client)
    with app.app_context():
        guardian = db.session.query(Guardian).one()
        guardian.user.active = False
        db.session.commit()
    response, _url, _browser = fc_login(client, "claire.martin")
    assert response.headers["Location"].endswith("/login/")
    assert "désactivé" in _flashes(client)
    assert client.get("/famille/").status_code in (302, 403)


def test_a_key_rotation_of_the_provider_is_followed(app, client, provider):
    with app.app_context():
        claire()
    _link_claire(client)  # the portal now holds the provider's keys in its cache
    requests.post(f"{provider.url}/_standin/rotate-key", timeout=5)
    response, _url, _browser = fc_login(client, "claire.martin")
    assert client.get(response.headers["Location"]).headers["Location"].endswith("/famille/")
