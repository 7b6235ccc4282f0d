"""Pointage (attendance) of a day, school and service, its printable sheet, and the kitchen
count (meals per school and day, with diets) for the coming open days.

The pages cost a constant number of SQL statements whatever the number of children; the
rules (only today and past days, open days, one row per child × service × day) live in
app.services.attendance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Attendance, BookingState, Diet, RequestState, School, Service, ServiceKind
from ...services import attendance as svc
from ...services import kitchen
from ...services.absences import declared_absences, reason_text
from ...services.calendar import OpeningCalendar, school_year_containing
from ...services.errors import CommandError
from ...services.exports import catalogue
from ...services.menus.check import allergen_conflicts
from ...services.menus.check import conflicts_by_child as menu_conflicts
from ..exports import csv_response, xlsx_response
from ..parent.planning_grid import portal_now
from .common import PortalStaffView, add_menu_view


def today() -> dt.date:
    """Today in Paris (or the fixed clock of tests and demos)."""
    return portal_now().date()


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _pick(rows: list, value: str | None):
    """The row whose id was asked for, else the first one."""
    try:
        wanted = int(value) if value else None
    except ValueError:
        wanted = None
    return next((row for row in rows if row.id == wanted), rows[0] if rows else None)


@dataclass
class SheetChoice:
    """The day, school and service a sheet is about, with the choices offered."""

    day: dt.date
    school: School | None
    service: Service | None
    schools: list[School]
    services: list[Service]

    @classmethod
    def from_args(cls, args) -> SheetChoice:
        schools = db.session.query(School).order_by(School.name).all()
        services = (
            db.session.query(Service).filter(Service.active.is_(True))
            .order_by(Service.kind != ServiceKind.canteen, Service.name).all()
        )
        return cls(_day(args.get("jour"), today()), _pick(schools, args.get("ecole")),
                   _pick(services, args.get("service")), schools, services)

    @property
    def ready(self) -> bool:
        return self.school is not None and self.service is not None

    def args(self) -> dict:
        return {"jour": self.day.isoformat(), "ecole": self.school.id,
                "service": self.service.id}

    def title(self) -> str:
        return _("%(service)s — %(school)s — %(day)s", service=self.service.name,
                 school=self.school.name, day=long_date(self.day))

    def closed_reason(self) -> str | None:
        year = school_year_containing(self.day)
        if year is None:
            return _("Hors année scolaire")
        calendar = OpeningCalendar.for_school_year(year)
        return calendar.closed_reason(self.day, self.school.id, self.service.id)


def long_date(day: dt.date) -> str:
    text = format_date(day, "full")
    return text[:1].upper() + text[1:]


def _marks(form) -> dict[int, str]:
    """{booking id: attendance} from the radio buttons named att-<booking id>."""
    marks = {}
    for key, value in form.items():
        if key.startswith("att-") and key[4:].isdigit():
            marks[int(key[4:])] = value
    return marks


def _flash_errors(refused: CommandError) -> None:
    for message in refused.messages:
        flash(message, "danger")


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={filename}"})


class StaffAttendanceView(BaseView):
    """Pointage: the list of the children expected, marked present or absent."""

    route_base = "/gestion/pointage"
    default_view = "sheet"

    @expose("/")
    @has_access
    @permission_name("attendance")
    def sheet(self):
        choice = SheetChoice.from_args(request.args)
        context = {"choice": choice, "today": today(), "labels": Attendance.labels(),
                   "diets": Diet.labels(), "rows": [], "found": [], "closed": None,
                   "query": (request.args.get("q") or "").strip()[:80]}
        if choice.ready:
            context["closed"] = choice.closed_reason()
            rows = svc.attendance_sheet(choice.day, choice.school.id, choice.service.id)
            context.update(rows=rows, counts=svc.sheet_summary(rows),
                           absences=declared_absences(rows), absence_reason=reason_text,
                           request_states=RequestState.labels(),
                           menu_alerts=menu_conflicts(choice.day, choice.school.id, today()))
            if context["query"] and choice.day <= context["today"]:
                context["found"] = svc.find_children(choice.school.id, choice.day,
                                                     choice.service.id, context["query"])
        return self.render_template("staff/attendance.html", **context)

    @expose("/enregistrer", methods=["POST"])
    @has_access
    @permission_name("attendance")
    def record(self):
        choice = SheetChoice.from_args(request.form)
        if not choice.ready:
            return redirect(url_for(".sheet"), 303)
        try:
            changed = svc.RecordAttendance(
                choice.day, choice.school.id, choice.service.id, _marks(request.form),
                PortalStaffView.current_user_id(), today(),
            ).run()
        except CommandError as refused:
            _flash_errors(refused)
        else:
            flash(ngettext("Pointage enregistré (%(num)d enfant modifié).",
                           "Pointage enregistré (%(num)d enfants modifiés).", changed),
                  "success")
        return redirect(url_for(".sheet", **choice.args()), 303)

    @expose("/ajouter", methods=["POST"])
    @has_access
    @permission_name("attendance")
    def add_child(self):
        choice = SheetChoice.from_args(request.form)
        if not choice.ready:
            return redirect(url_for(".sheet"), 303)
        try:
            booking = svc.AddUnbookedChild(
                choice.day, choice.school.id, choice.service.id, request.form.get("child"),
                request.form.get("family"), PortalStaffView.current_user_id(), today(),
            ).run()
        except CommandError as refused:
            _flash_errors(refused)
        else:
            flash(_("%(child)s est ajouté à la liste, présent sans réservation.",
                    child=booking.child), "success")
        return redirect(url_for(".sheet", **choice.args()), 303)

    @expose("/pdf")
    @has_access
    @permission_name("attendance")
    def sheet_pdf(self):
        choice = SheetChoice.from_args(request.args)
        if not choice.ready:
            return redirect(url_for(".sheet"), 303)
        rows = svc.attendance_sheet(choice.day, choice.school.id, choice.service.id)
        content = svc.render_pdf(
            "pdf/attendance_sheet.html", choice=choice, rows=rows, title=choice.title(),
            labels=Attendance.labels(), diets=Diet.labels(), counts=svc.sheet_summary(rows),
            closed=choice.closed_reason(), printed=long_date(today()),
            is_late_cancellation=svc.is_late_cancellation,
            menu_alerts=menu_conflicts(choice.day, choice.school.id, today()),
        )
        return _pdf(content, f"pointage-{choice.day.isoformat()}-{choice.school.id}.pdf")

    def render_template(self, template, **kwargs):
        kwargs.setdefault("is_late_cancellation", svc.is_late_cancellation)
        kwargs.setdefault("long_date", long_date)
        kwargs.setdefault("state_labels", BookingState.labels())
        return super().render_template(template, **kwargs)


def _kitchen_args() -> tuple[dt.date, int]:
    start = _day(request.args.get("du"), today())
    try:
        days = int(request.args.get("jours", 5))
    except ValueError:
        days = 5
    return start, max(1, min(days, kitchen.MAX_KITCHEN_DAYS))


class StaffKitchenCountView(BaseView):
    """Effectifs cuisine: meals per school for the coming open days, by diet, with PAI."""

    route_base = "/gestion/effectifs-cuisine"
    default_view = "table"

    @expose("/")
    @has_access
    @permission_name("list")
    def table(self):
        start, days = _kitchen_args()
        count = kitchen.kitchen_count(start, days)
        return self.render_template("staff/attendance_kitchen.html", count=count, start=start,
                                    days=days, long_date=long_date,
                                    max_days=kitchen.MAX_KITCHEN_DAYS,
                                    menu_alerts=allergen_conflicts(count.days, today()))

    @expose("/pdf")
    @has_access
    @permission_name("list")
    def table_pdf(self):
        start, days = _kitchen_args()
        count = kitchen.kitchen_count(start, days)
        content = svc.render_pdf("pdf/kitchen_count.html", count=count, start=start,
                                 long_date=long_date, printed=long_date(today()))
        return _pdf(content, f"effectifs-cuisine-{start.isoformat()}.pdf")


    @expose("/csv")
    @has_access
    def csv(self):
        start, days = _kitchen_args()
        columns, rows = catalogue.kitchen_table(kitchen.kitchen_count(start, days))
        return csv_response("effectifs-cuisine", columns, rows)

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        start, days = _kitchen_args()
        columns, rows = catalogue.kitchen_table(kitchen.kitchen_count(start, days))
        return xlsx_response("effectifs-cuisine", _("Effectifs cuisine"), columns, rows,
                             url_for(".table"))


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffAttendanceView, _l("Pointage"), "Réservations",
                  "fa-check-square-o")
    add_menu_view(appbuilder, StaffKitchenCountView, _l("Effectifs cuisine"), "Réservations",
                  "fa-cutlery")
