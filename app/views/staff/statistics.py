"""Statistiques (managers): bookings and attendance by period, occupancy, no-shows, late
cancellations, revenue, payment methods; filters by period, school and service; charts
drawn as SVG on the server with their numbers in a table, each exportable in CSV
(figures in app.services.statistics). Replaces FAB's English « User's Statistics »."""

from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...services.calendar import local_today, school_year_label_for
from ...services.money import euros
from ...services.reservations.lookup import parse_typed_day
from ...services.statistics import queries as q
from ...services.statistics.figures import all_figures
from ..exports import csv_response

_GRAIN_LABELS = {"day": _l("Jour"), "week": _l("Semaine"), "month": _l("Mois")}
_MAX_DAYS = 5 * 366


def _default_start(today: dt.date) -> dt.date:
    first = int(school_year_label_for(today)[:4])
    return dt.date(first, 9, 1)


def _integer(name: str, known: dict, errors: list[str], message: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    if text.isdigit() and int(text) in known:
        return int(text)
    errors.append(message)
    return None


def read_filters(schools: dict, services: dict) -> tuple[q.Filters, list[str]]:
    """The page's filters from the query string; a wrong value is named in French and
    replaced by its default (never an error page)."""
    today, errors = local_today(), []
    start, end = _default_start(today), today
    for name, label in (("du", _("Du")), ("au", _("Au"))):
        text = request.args.get(name)
        if text:
            value = parse_typed_day(text)
            if value is None:
                errors.append(_("« %(label)s » : la date « %(text)s » n'est pas valide "
                                "(jj/mm/aaaa).", label=label, text=text))
            elif name == "du":
                start = value
            else:
                end = value
    if start > end or (end - start).days > _MAX_DAYS:
        errors.append(_("La période doit aller d'une date à une date postérieure, sur cinq "
                        "ans au plus : période par défaut."))
        start, end = _default_start(today), today
    grain = request.args.get("par") or "month"
    if grain not in q.GRAINS:
        errors.append(_("Regroupement inconnu : par mois."))
        grain = "month"
    school = _integer("ecole", schools, errors, _("École inconnue : toutes les écoles."))
    service = _integer("service", services, errors, _("Service inconnu : tous les services."))
    return q.Filters(start, end, grain, school, service), errors


class FinanceStatisticsView(BaseView):
    route_base = "/gestion/statistiques"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        schools, services = q.names()
        filters, errors = read_filters(schools, services)
        return self.render_template(
            "staff/statistics.html", filters=filters, errors=errors, figures=all_figures(filters),
            schools=schools, services=services, grains=_GRAIN_LABELS,
            query=request.query_string.decode("utf-8"), euros=euros,
        ), (400 if errors else 200)

    @expose("/csv/<string:key>")
    @has_access
    def csv(self, key: str):
        schools, services = q.names()
        filters, _errors = read_filters(schools, services)
        figure = next((f for f in all_figures(filters) if f.key == key), None)
        if figure is None:
            abort(404)
        return csv_response(f"statistiques-{key}", figure.columns, figure.rows)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        FinanceStatisticsView, "FinanceStatisticsView", label=_l("Statistiques"),
        icon="fa-bar-chart", category="Accueil", category_label=_l("Accueil"),
    )
