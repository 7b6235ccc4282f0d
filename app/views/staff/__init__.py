"""The back office of the service des affaires scolaires (one module per aggregate)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import home

    home.register(appbuilder)
