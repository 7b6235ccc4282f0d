"""State reports (manager): the CAF's hours of presence of the périscolaire and the
« cantine à 1 € » claim to the ASP, on the page with their rules, in CSV and XLSX
(app.services.state_reports)."""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...services.calendar import local_today
from ...services.money import euros
from ...services.reservations.lookup import parse_typed_day
from ...services.state_reports.caf import AGE_BANDS, caf_hours, hours_text, qf_band_label
from ...services.state_reports.caf import RULES as CAF_RULES
from ...services.state_reports.canteen import PERIOD_LABELS, canteen_claim, period_of
from ...services.state_reports.canteen import RULES as CANTEEN_RULES
from ...services.state_reports.files import caf_files, claim_files, month_label
from .common import CATEGORIES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_SHOWN = 300


def _day(name: str, default: dt.date) -> tuple[dt.date, str | None]:
    text = (request.args.get(name) or "").strip()
    if not text:
        return default, None
    day = parse_typed_day(text)
    if day is not None:
        return day, None
    return default, _("Date « %(value)s » invalide : jj/mm/aaaa.", value=text)


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})


def _caf_period() -> tuple[dt.date, dt.date, list[str]]:
    today = local_today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    start, bad_start = _day("du", last_month_end.replace(day=1))
    end, bad_end = _day("au", last_month_end)
    errors = [e for e in (bad_start, bad_end) if e]
    if end < start:
        errors.append(_("La fin de la période précède son début."))
    elif (end - start).days > 366:
        errors.append(_("Une période d'un an au plus."))
    if errors:
        start, end = last_month_end.replace(day=1), last_month_end
    return start, end, errors


class FinanceStateReportView(BaseView):
    route_base = "/gestion/rapports-etat"
    default_view = "caf"

    @expose("/caf")
    @has_access
    def caf(self):
        start, end, errors = _caf_period()
        report = caf_hours(start, end)
        return self.render_template(
            "staff/state_reports_caf.html", report=report, rules=CAF_RULES, errors=errors,
            totals=report.totals(), rows=report.rows[:ROWS_SHOWN], ages=AGE_BANDS,
            qf_label=qf_band_label, hours=hours_text, month_label=month_label,
            title=_("Heures de présence pour la CAF")), 400 if errors else 200

    @expose("/caf.csv")
    @has_access
    def caf_csv(self):
        return self._caf_file("csv")

    @expose("/caf.xlsx")
    @has_access
    def caf_xlsx(self):
        return self._caf_file("xlsx")

    def _caf_file(self, fmt: str):
        start, end, errors = _caf_period()
        if errors:
            return self.caf()
        csv_bytes, xlsx_bytes = caf_files(caf_hours(start, end))
        name = f"caf-heures-presence-{start:%Y-%m-%d}-au-{end:%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            return _download(csv_bytes, name, "text/csv; charset=utf-8")
        return _download(xlsx_bytes, name, XLSX)

    def _claim(self):
        day, error = _day("periode", local_today())
        return canteen_claim(day), [error] if error else []

    @expose("/cantine")
    @has_access
    def canteen(self):
        claim, errors = self._claim()
        today = local_today()
        periods = [period_of(dt.date(year, month, 1)) for year in (today.year - 1, today.year)
                   for month in (1, 5, 9) if dt.date(year, month, 1) <= today]
        return self.render_template(
            "staff/state_reports_canteen.html", claim=claim, rules=CANTEEN_RULES,
            errors=errors, periods=list(reversed(periods)), labels=PERIOD_LABELS,
            euros=euros, month_label=month_label,
            title=_("Cantine à 1 € : demande à l'ASP")), 400 if errors else 200

    @expose("/cantine.csv")
    @has_access
    def canteen_csv(self):
        return self._canteen_file("csv")

    @expose("/cantine.xlsx")
    @has_access
    def canteen_xlsx(self):
        return self._canteen_file("xlsx")

    def _canteen_file(self, fmt: str):
        claim, errors = self._claim()
        if errors:
            return self.canteen()
        csv_bytes, xlsx_bytes = claim_files(claim)
        period = str(PERIOD_LABELS[claim.start.month]).replace("é", "e").replace("û", "u")
        name = f"cantine-1-euro-{claim.start.year}-{period}.{fmt}"
        if fmt == "csv":
            return _download(csv_bytes, name, "text/csv; charset=utf-8")
        return _download(xlsx_bytes, name, XLSX)


def register(appbuilder: AppBuilder) -> None:
    label, icon = CATEGORIES["Finances"]
    appbuilder.add_view(
        FinanceStateReportView, "FinanceStateReportCaf", label=_l("Heures de présence (CAF)"),
        href="/gestion/rapports-etat/caf", category="Finances", icon="fa-child",
        category_label=label, category_icon=icon)
    appbuilder.add_link("FinanceStateReportCanteen", label=_l("Cantine à 1 € (ASP)"),
                        href="/gestion/rapports-etat/cantine", category="Finances",
                        icon="fa-cutlery", category_label=label, category_icon=icon)
