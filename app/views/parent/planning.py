"""Mes réservations: the family's monthly planning, one URL per month
(/famille/planning/2026-11), one cell per child × service × day in the brochure's colours.

A click on a cell goes through the JSON API (api.py, ParentBookingChangeApi) from
planning.js; without JavaScript every cell is a submit button of a plain POST form handled
here. Each change is a reservation command (app.services.reservations): deadlines and
capacity are enforced there; nothing here decides what a click becomes.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...models import Child
from ...security.scope import children_of
from ...services.deadlines import describe_rule
from ...services.errors import CommandError
from ...services.payments.unpaid_block import booking_block
from ...services.reservations.day import ChangeDay
from ...services.reservations.planning import STATE_LABELS, MonthPlanning, month_planning
from ...services.reservations.range import ChangeRange, RangeResult
from .planning_grid import (
    WEEKDAY_LONG,
    WEEKDAY_SHORT,
    ChildSection,
    build_sections,
    family_id,
    month_key,
    month_title,
    parse_month,
    portal_now,
    shown_weekdays,
)

LEGEND = ("booked", "pending", "modification", "cancellation", "available", "closed")
SKIPPED_SHOWN = 5


def family_children(family: int) -> list[Child]:
    """Every child of the family, with its school (one query)."""
    return children_of(family_ids=[family], options=(joinedload(Child.school),))


def rule_text(service) -> str:
    booking = describe_rule(
        service.booking_deadline_kind,
        service.booking_deadline_value,
        service.booking_deadline_time,
    )
    cancel = describe_rule(
        service.cancel_deadline_kind, service.cancel_deadline_value, service.cancel_deadline_time
    )
    if booking == cancel:
        return _("Réservation et annulation : %(rule)s.", rule=booking)
    return _("Réservation : %(booking)s. Annulation : %(cancel)s.", booking=booking, cancel=cancel)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ParentPlanningView(BaseView):
    route_base = "/famille/planning"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page(portal_now().date().replace(day=1))

    @expose("/<month>")
    @has_access
    def month(self, month: str):
        first = parse_month(month)
        if first is None:
            return self.render_template(
                "errors/error.html",
                code=404,
                title=_("Mois invalide"),
                message=_(
                    "« %(month)s » n'est pas un mois : utilisez le format AAAA-MM "
                    "(par exemple %(example)s).",
                    month=month,
                    example=month_key(portal_now().date()),
                ),
            ), 404
        return self._page(first)

    @expose("/jour", methods=["POST"])
    @has_access
    def cell(self):
        """One cell without JavaScript: toggle (the cell's button) or a note on a booked day."""
        form = request.form
        family = family_id()
        fallback = self._form_month()
        if family is None:
            return self._page(fallback, errors=[_("Aucune famille n'est liée à votre compte.")])
        child, service = form.get("child"), form.get("service")
        if form.get("row"):  # the note form's "child-service" choice
            child, _sep, service = form["row"].partition("-")
        command = ChangeDay(
            family,
            child,
            service,
            form.get("day"),
            form.get("action") or "toggle",
            note=form.get("note"),
            now=portal_now(),
            actor_user_id=current_user.id,
        )
        try:
            outcome = command.run()
        except CommandError as refused:
            return self._page(fallback, errors=refused.messages)
        category = "info" if outcome.request_id or not outcome.changed else "success"
        flash(outcome.message, category)
        anchor = f"enfant-{outcome.child_id}-service-{outcome.service_id}"
        return self._back(outcome.day, anchor)

    @expose("/semaine", methods=["POST"])
    @has_access
    def week(self):
        """A whole week row (book_week / cancel_week = its Monday) or the standard-week form."""
        form = request.form
        family = family_id()
        month = self._form_month()
        if family is None:
            return self._page(month, errors=[_("Aucune famille n'est liée à votre compte.")])
        try:
            command, anchor = self._range_command(family, month)
            result = command.run()
        except CommandError as refused:
            return self._page(month, errors=refused.messages, form=form)
        self._flash_range(result)
        return self._back(month, anchor)

    # -- helpers ------------------------------------------------------------------------
    def _form_month(self) -> dt.date:
        form = request.form
        day = form.get("day") or form.get("start") or ""
        return (
            parse_month(form.get("month"))
            or parse_month(day[:7])
            or portal_now().date().replace(day=1)
        )

    def _range_command(self, family: int, month: dt.date) -> tuple[ChangeRange, str]:
        form = request.form
        common = {"now": portal_now(), "actor_user_id": current_user.id}
        whole = form.get("book_week") or form.get("cancel_week")
        if whole is not None:
            child, service = form.get("child"), form.get("service")
            start, end = self._week_in_month(whole, month)
            action = "book" if form.get("book_week") else "cancel"
            command = ChangeRange(family, child, service, start, end, range(7), action, **common)
        else:
            child, _sep, service = (form.get("row") or "").partition("-")
            command = ChangeRange(
                family,
                child,
                service,
                form.get("start"),
                form.get("end"),
                form.getlist("weekdays"),
                form.get("action") or "book",
                cancel_others=bool(form.get("cancel_others")),
                **common,
            )
        return command, f"enfant-{_int(child)}-service-{_int(service)}"

    @staticmethod
    def _week_in_month(monday: str, month: dt.date) -> tuple[str, str]:
        """A week row changes the days it shows: those of the displayed month."""
        try:
            first = dt.date.fromisoformat(monday)
        except ValueError:
            raise CommandError(_("Semaine invalide.")) from None
        following = (month + dt.timedelta(days=32)).replace(day=1)
        start = max(first, month)
        end = min(first + dt.timedelta(days=6), following - dt.timedelta(days=1))
        if end < start:
            raise CommandError(_("Cette semaine n'appartient pas au mois affiché."))
        return start.isoformat(), end.isoformat()

    @staticmethod
    def _flash_range(result: RangeResult) -> None:
        flash(result.summary(), "success" if result.changed else "info")
        for day, reason in sorted(result.skipped.items())[:SKIPPED_SHOWN]:
            flash(f"{day:%d/%m/%Y} : {reason}", "warning")

    def _back(self, day: dt.date, anchor: str):
        url = url_for(f"{type(self).__name__}.month", month=month_key(day))
        return redirect(f"{url}#{anchor}", 303)

    def _page(self, month: dt.date, errors: list[str] | None = None, form=None):
        family = family_id()
        now = portal_now()
        planning, problem = None, None
        children: list[Child] = []
        if family is not None:
            children = family_children(family)
            try:
                planning = month_planning(family, month, now, children)
            except CommandError as missing:  # CalendarDataError: official dates missing
                problem = missing.message
            problem = problem or booking_block(family, now.date())
        context = self._context(month, planning, children, now)
        html = self.render_template(
            "parent/planning.html",
            **context,
            errors=errors or [],
            problem=problem,
            has_family=family is not None,
            form=form or {},
        )
        return html, 400 if errors else 200

    def _context(
        self, month: dt.date, planning: MonthPlanning | None, children: list[Child], now
    ) -> dict:
        weekdays = shown_weekdays(planning) if planning else [0, 1, 2, 3, 4]
        by_child = {s.child.id: s for s in build_sections(planning, weekdays)} if planning else {}
        sections = [by_child.get(c.id) or ChildSection(c) for c in children]
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        rows = [(t.child, t.service) for s in sections for t in s.tables]
        services = {t.service.id: t.service for s in sections for t in s.tables}
        return {
            "month": month,
            "month_key": month_key(month),
            "month_title": month_title(month),
            "previous": {"key": month_key(previous), "title": month_title(previous)},
            "following": {"key": month_key(following), "title": month_title(following)},
            "current_key": month_key(now.date()),
            "sections": sections,
            "rows": rows,
            "rules": {sid: rule_text(service) for sid, service in services.items()},
            "weekdays": [(w, WEEKDAY_SHORT[w], WEEKDAY_LONG[w]) for w in weekdays],
            "legend": [(state, STATE_LABELS[state]) for state in LEGEND],
            "default_start": _default_start(month, following, now),
            "default_end": following - dt.timedelta(days=1),
            "menu_weeks": month_menus(children, month, following, now.date()),
        }


def month_menus(children: list[Child], month: dt.date, following: dt.date, today: dt.date):
    """The month's published menus, day by day, with the children's allergens marked."""
    from ...services.menus.week import family_days

    days = [month + dt.timedelta(days=n) for n in range((following - month).days)]
    return family_days(children, days, today, only_menus=True)


def _default_start(month: dt.date, following: dt.date, now: dt.datetime) -> dt.date:
    """The standard week starts tomorrow when the month is under way."""
    tomorrow = now.date() + dt.timedelta(days=1)
    return tomorrow if month < tomorrow < following else month


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(
        ParentPlanningView,
        "ParentPlanning",
        label=_l("Planning"),
        category="ParentBookings",
        category_label=_l("Mes réservations"),
    )
