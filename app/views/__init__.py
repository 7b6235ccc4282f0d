"""Registers every view on the AppBuilder: one module per rubrique."""

from __future__ import annotations

from flask import current_app
from flask_appbuilder import AppBuilder


def register_views(appbuilder: AppBuilder) -> None:
    from . import formatters, franceconnect, health, home, parent, public, staff

    formatters.register_filters(current_app)
    home.register(appbuilder)
    staff.register(appbuilder)
    parent.register(appbuilder)
    public.register(appbuilder)
    franceconnect.register(appbuilder)
    health.register(appbuilder)
