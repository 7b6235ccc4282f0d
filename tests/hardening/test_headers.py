"""Finding 13: security headers on every page, and a CSP the pages actually obey (no inline
script without the request's nonce, no `on…=` handler, no `javascript:` URL).

Every GET route without arguments is fetched as a parent and as an admin; each HTML page's
scripts are checked against the nonce of its own Content-Security-Policy header."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.security.roles import ADMIN
from tests import factories as f
from tests.security.isolation_data import build_two_families

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")


def _pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint.endswith("static"):
            continue
        if rule.rule.startswith(("/api/", "/sandbox", "/logout", "/lang")):
            continue
        yield rule.rule


def _check_page(url: str, response) -> list[str]:
    problems = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    for needed in ("frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"):
        if needed not in csp:
            problems.append(f"{url}: CSP without {needed}")
    if "unsafe-inline" in csp.split("script-src", 1)[-1].split(";", 1)[0]:
        problems.append(f"{url}: script-src allows unsafe-inline")
    nonce = _NONCE.search(csp)
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no X-Content-Type-Options")
    if headers.get("Referrer-Policy") not in {"same-origin", "no-referrer", "strict-origin"}:
        problems.append(f"{url}: Referrer-Policy {headers.get('Referrer-Policy')}")
    if "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"{url}: cacheable ({headers.get('Cache-Control')})")
    if response.mimetype != "text/html":
        return problems
    html = response.get_data(as_text=True)
    for attrs, body in _SCRIPT.findall(html):
        if 'type="application/json"' in attrs:
            continue
        if not nonce or f'nonce="{nonce.group(1)}"' not in attrs:
            problems.append(f"{url}: script without the page's nonce: {attrs[:80]} {body[:60]}")
    if _HANDLER.search(html):
        problems.append(f"{url}: inline event handler {_HANDLER.search(html).group(0)[:80]}")
    if "javascript:" in html.lower():
        problems.append(f"{url}: javascript: URL")
    return problems


@pytest.mark.parametrize("who", ["parent", "admin"])
def test_every_page_sends_security_headers_and_obeys_its_csp(app, client, who):
    with app.app_context():
        build_two_families()
        f.user("chef", ADMIN)
    f.login(client, "alice" if who == "parent" else "chef")
    problems, seen = [], 0
    for url in _pages(app):
        response = client.get(url)
        if response.status_code == 200:
            seen += 1
        problems += _check_page(url, response)
    assert seen > 10
    assert not problems, "\n".join(problems)


def test_show_and_list_pages_with_actions_carry_the_nonce(app, client):
    """FAB's list/show pages (actions, delete buttons) are the ones with scripts."""
    with app.app_context():
        a, _, _ = build_two_families()
        f.user("chef", ADMIN)
        family_id = a.family.id
    f.login(client, "chef")
    problems = []
    for url in ("/gestion/familles/list/", f"/gestion/familles/show/{family_id}"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        problems += _check_page(url, response)
    assert not problems, "\n".join(problems)


def test_nonce_changes_on_every_response(client):
    first = client.get("/login/").headers["Content-Security-Policy"]
    second = client.get("/login/").headers["Content-Security-Policy"]
    assert _NONCE.search(first).group(1) != _NONCE.search(second).group(1)


def test_hsts_in_production_only(app, client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/login/").headers
    prod = create_app("production", SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db",
                      PORTAL_BASE_URL="https://portail.example.fr", REDIS_URL="",
                      RATELIMIT_STORAGE_URI="memory://")
    from app.tasks import init_celery

    init_celery(app)
    response = prod.test_client().get("/accessibilite", base_url="https://portail.example.fr")
    assert "max-age=" in response.headers.get("Strict-Transport-Security", "")


def test_forms_may_lead_to_the_payment_service_and_franceconnect_only(app, client,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "FRANCECONNECT_ENABLED", True)
    monkeypatch.setitem(app.config, "FRANCECONNECT_DISCOVERY_URL",
                        "https://fc.example.gouv.fr/api/v2/.well-known/openid-configuration")
    csp = client.get("/login/").headers["Content-Security-Policy"]
    form_action = next(d for d in csp.split("; ") if d.startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", "https://www.payfip.gouv.fr",
                                       "https://www.tipi.budget.gouv.fr",
                                       "https://fc.example.gouv.fr"]
