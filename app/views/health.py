"""`/sante`: the health check (JSON, no login, no secret), 200 when healthy, else 503."""

from __future__ import annotations

from flask import jsonify
from flask_appbuilder import AppBuilder, BaseView, expose

from ..services.health import health


class HealthView(BaseView):
    route_base = "/sante"
    default_view = "index"

    @expose("/")
    def index(self):
        report, healthy = health()
        response = jsonify(report)
        response.status_code = 200 if healthy else 503
        response.headers["Cache-Control"] = "no-store"
        return response


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(HealthView())
