"""Fixtures of the State's services' stand-ins, served over real HTTP for the session: a
FranceConnect-like provider and an API Particulier server (app/devservers). Used by
tests/state/ (its conftest imports them) and by the browser test of the FranceConnect login."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from app.devservers.serve import start_api_particulier, start_franceconnect
from app.services.franceconnect import client as fc_client

CLIENT_ID, CLIENT_SECRET = "portail-tests", "secret-des-tests-0123456789"
API_TOKEN = "jeton-api-particulier-tests"
SIRET = "21350288000010"
CALLBACK = "http://localhost/franceconnect/retour"
LOGGED_OUT = "http://localhost/franceconnect/deconnexion"
NOW = "2026-12-01T09:00:00"


@pytest.fixture(scope="session")
def provider():
    running = start_franceconnect(CLIENT_ID, CLIENT_SECRET, {CALLBACK}, {LOGGED_OUT})
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api_server():
    running = start_api_particulier(API_TOKEN)
    yield running
    running.stop()


@pytest.fixture
def fc_on(app, provider):
    """FranceConnect switched on, pointing at the stand-in (only the base URL differs)."""
    values = {
        "FRANCECONNECT_ENABLED": True, "FRANCECONNECT_CLIENT_ID": CLIENT_ID,
        "FRANCECONNECT_CLIENT_SECRET": CLIENT_SECRET,
        "FRANCECONNECT_DISCOVERY_URL": f"{provider.url}/api/v2/.well-known/openid-configuration",
        "PORTAL_FIXED_NOW": NOW,
    }
    saved = {k: app.config.get(k) for k in values}
    app.config.update(values)
    fc_client._cache.clear()
    requests.post(f"{provider.url}/_standin/reset", timeout=5)
    yield provider
    app.config.update(saved)


@pytest.fixture
def api_on(app, api_server):
    values = {"API_PARTICULIER_URL": api_server.url, "API_PARTICULIER_TOKEN": API_TOKEN,
              "PORTAL_TOWN_SIRET": SIRET, "API_PARTICULIER_RETRIES": 2,
              "API_PARTICULIER_BACKOFF": 0.0, "PORTAL_FIXED_NOW": NOW}
    saved = {k: app.config.get(k) for k in values}
    app.config.update(values)
    requests.post(f"{api_server.url}/_standin/reset", timeout=5)
    yield api_server
    app.config.update(saved)


def api_calls(api_server) -> list[dict]:
    return requests.get(f"{api_server.url}/_standin/calls", timeout=5).json()["calls"]


def provider_sessions(provider) -> list[str]:
    return requests.get(f"{provider.url}/_standin/sessions", timeout=5).json()["active"]


class ProviderBrowser:
    """The person's browser on the provider's side (its own cookies)."""

    def __init__(self):
        self.http = requests.Session()

    def choose(self, authorize_url: str, identity: str) -> str:
        """Open the authorize page, pick `identity`; returns the callback URL."""
        page = self.http.get(authorize_url, timeout=5)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        answer = self.http.post(urljoin(authorize_url, action), data={"identity": identity},
                                allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def start(client, path: str = "/franceconnect/connexion") -> str:
    response = client.post(path)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def local(url: str) -> str:
    """http://localhost/franceconnect/retour?… → the path and query for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def fc_login(client, identity: str, path: str = "/franceconnect/connexion"):
    """The whole journey: the portal's button, the provider's page, back to the portal."""
    browser = ProviderBrowser()
    callback = browser.choose(start(client, path), identity)
    return client.get(local(callback)), callback, browser
