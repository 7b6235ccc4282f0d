"""Security headers of every response (ASVS V14.4): a Content-Security-Policy without inline
script (a fresh nonce per request, `csp_nonce()` in templates, which FAB's
`baselib.get_nonce()` reads), no framing, no MIME sniffing, no referrer to other sites,
no caching of pages (children's health data, invoices) and HSTS in production.

How to add a script to a page (docs/security.md): put it in `app/static/js/<name>.js`, load
it with `<script src="…" nonce="{{ baselib.get_nonce() }}"></script>`; pass data through
`data-*` attributes or a `<script type="application/json">` block, never
an inline `<script>` body or an `on…=` attribute (the browser refuses both).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

_STATIC_ENDPOINTS = {"static", "appbuilder.static"}


def csp_nonce() -> str:
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str, form_targets: str = "") -> str:
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        # FAB's widgets and a few templates use style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        f"form-action 'self' {form_targets}".strip(),
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def form_targets(config) -> str:
    """Other sites a form of the portal leads to (a POST answered by a redirect there):
    the payment service, and FranceConnect's authorisation page when it is on."""
    targets = (config.get("PORTAL_CSP_FORM_ACTION") or "").split()
    if config.get("FRANCECONNECT_ENABLED") and config.get("FRANCECONNECT_DISCOVERY_URL"):
        parts = urlsplit(config["FRANCECONNECT_DISCOVERY_URL"])
        targets.append(f"{parts.scheme}://{parts.netloc}")
    return " ".join(dict.fromkeys(targets))


def _set_headers(app: Flask, response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(csp_nonce(), form_targets(app.config))
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in _STATIC_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    if app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register(app: Flask) -> None:
    # A global, not a context processor: macros imported without context see it too.
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(lambda response: _set_headers(app, response))
