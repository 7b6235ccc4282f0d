"""Error pages: French, in the portal's layout, never leaking an exception; JSON for the API."""

from __future__ import annotations

from flask import abort
from lxml import html as lxml_html

from tests import factories as f
from tests.test_accessibility import audit


def _doc(response):
    return lxml_html.document_fromstring(response.get_data(as_text=True))


def test_unknown_url_gives_the_french_404_page(client):
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    doc = _doc(response)
    assert doc.get("lang") == "fr"
    assert doc.findtext(".//h1").strip() == "Page introuvable"
    body = doc.text_content()
    assert "Code d'erreur : 404" in body
    assert "02 99 58 81 17" in body  # the layout's footer, with the service's contacts
    assert audit(response.get_data(as_text=True)) == []


def test_404_page_follows_the_chosen_language(client):
    client.get("/lang/en")
    doc = _doc(client.get("/cette-page-n-existe-pas"))
    assert doc.get("lang") == "en"
    assert doc.findtext(".//h1").strip() == "Page not found"


def _failing_view(app, monkeypatch, endpoint: str, error: Exception | int):
    """Make a real page fail the way a bug or a refused access would (the request still
    goes through Flask's whole dispatch and error handling)."""

    def boom(*args, **kwargs):
        if isinstance(error, int):
            abort(error)
        raise error

    monkeypatch.setitem(app.view_functions, endpoint, boom)
    # The test config re-raises exceptions; production turns them into the 500 page.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def test_500_page_is_french_and_hides_the_exception(app, client, monkeypatch):
    _failing_view(app, monkeypatch, "HomeIndexView.accessibility",
                  RuntimeError("secret-detail: password=hunter2"))
    response = client.get("/accessibilite")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    doc = _doc(response)
    assert doc.get("lang") == "fr"
    assert doc.findtext(".//h1").strip() == "Erreur du serveur"
    assert "réessayez plus tard" in page
    for leak in ("secret-detail", "hunter2", "Traceback", "RuntimeError"):
        assert leak not in page


def test_403_page_is_french(app, client, monkeypatch):
    _failing_view(app, monkeypatch, "HomeIndexView.accessibility", 403)
    response = client.get("/accessibilite")
    assert response.status_code == 403
    assert _doc(response).findtext(".//h1").strip() == "Accès refusé"


def test_api_errors_are_json(app, client, monkeypatch):
    response = client.get("/api/v1/n-existe-pas/")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "message": "La page demandée n'existe pas ou n'est plus disponible."
    }


def test_api_500_is_json_without_the_exception(app, client, monkeypatch):
    with app.app_context():
        f.family("Durand", f.school(), username="durand")
    f.login(client, "durand")
    _failing_view(app, monkeypatch, "ParentBookingApi.get_list", RuntimeError("secret-detail"))
    response = client.get("/api/v1/bookings/")
    assert response.status_code == 500
    assert response.is_json and "secret-detail" not in response.get_data(as_text=True)
    assert response.get_json()["message"].startswith("Une erreur inattendue")


def test_anonymous_user_is_sent_to_the_french_login_page(app, client):
    response = client.get("/famille/", follow_redirects=True)
    assert response.status_code == 200
    doc = _doc(response)
    assert doc.get("lang") == "fr"
    text = doc.text_content()
    assert "Accès refusé" in text  # FAB's flash, in our French
    assert "Mot de passe" in text and "Identifiant" in text
