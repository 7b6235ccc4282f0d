"""The parent space (the brochure's rubriques), always scoped to the user's families."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import account, api, documents, finances, home, requests

    for module in (home, account, requests, finances, documents, api):
        module.register(appbuilder)
