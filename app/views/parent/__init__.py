"""The parent space (the brochure's rubriques), always scoped to the user's families."""

from __future__ import annotations

from flask_appbuilder import AppBuilder


def register(appbuilder: AppBuilder) -> None:
    from . import home

    home.register(appbuilder)
