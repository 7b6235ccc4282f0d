"""Absolute links of the mailed pages: from PORTAL_BASE_URL (required in production, so a
forged Host header can never redirect a mailed link), else the request's address."""

from __future__ import annotations

from flask import current_app, url_for


def _absolute(endpoint: str, **values) -> str:
    base = current_app.config.get("PORTAL_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def unlock_url(token: str) -> str:
    return _absolute("PublicAccountView.unlock", token=token)


def email_confirm_url(token: str) -> str:
    return _absolute("PublicAccountView.confirm_email", token=token)
