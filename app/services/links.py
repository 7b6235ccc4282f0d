"""Addresses of portal pages that services put in mails, given by the views that own the
pages: a service never builds a URL (no `url_for` below the views).

A view's `register()` calls `provide("choose_password", builder)` where `builder(**values,
_external=…)` returns the page's address; a service asks `absolute_link(name, **values)`.
Mailed links start with PORTAL_BASE_URL (required in production, so a forged Host header
can never redirect a mailed link), else the request's address.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

_KEY = "portal.links"


def provide(name: str, builder: Callable[..., str]) -> None:
    current_app.extensions.setdefault(_KEY, {})[name] = builder


def absolute_link(name: str, **values) -> str:
    builder = current_app.extensions[_KEY][name]
    base = current_app.config.get("PORTAL_BASE_URL")
    if base:
        return base.rstrip("/") + builder(**values, _external=False)
    return builder(**values, _external=True)
