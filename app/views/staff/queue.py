"""La file des demandes: every pending family request, with bulk « Valider » / « Refuser ».

Decisions go through `DecideRequests` (all checks before any write, one transaction, an
alert and a mail per decision). A refusal needs a reason: the « Refuser » action leads to a
page listing the selected requests with the reason to give the family.

Beside each booking request, « Places » shows the day's seats taken / capacity, computed
for the whole page in two queries (never one per row).
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterNotEqual
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, to_user_timezone
from sqlalchemy import and_, or_
from wtforms import StringField

from ...extensions import db
from ...models import (
    Booking,
    Enrolment,
    Family,
    Request,
    RequestKind,
    RequestState,
    School,
    Service,
)
from ...services.errors import CommandError
from ...services.request_details import request_details
from ...services.reservations.decide import REFUSE, VALIDATE, DecideRequests
from ...services.reservations.lookup import parse_typed_day
from ...services.reservations.queries import seats_of
from ...services.reservations.staleness import stale_reasons
from ...services.search import name_contains
from ..base import PortalInterface
from ..dates import FrenchDateField
from ..formatters import french_date
from .common import PortalStaffView, add_menu_view, labels

MAX_SELECTION = 500


# --- the « Places » column and the virtual columns (école, service, jour) ------------------


def _place(request_row: Request):
    """What a request is about: its booking, else its enrolment (None for the others)."""
    return request_row.booking or request_row.enrolment


def places_text(taken: int, capacity: int | None) -> str:
    if capacity is None:
        return _("%(taken)s / capacité non définie", taken=taken)
    text = f"{taken} / {capacity}"
    return _("%(text)s (complet)", text=text) if taken >= capacity else text


def _problem_text(item: Request, stale: dict[int, str], seats: dict) -> str:
    """Why the request cannot be validated as it stands (empty when it can)."""
    if item.id in stale:
        return _("Ne peut plus être validée : %(reason)s.", reason=stale[item.id])
    booking = item.booking
    if booking is not None and item.kind in (RequestKind.booking, RequestKind.waiting_list):
        taken, capacity = seats.get((booking.service_id, booking.school_id, booking.day),
                                    (0, None))
        if capacity is not None and taken >= capacity:
            return _("En attente d'une place : journée complète.")
    return ""


class QueueInterface(PortalInterface):
    """Fills the virtual columns school, service, day and places of a page of requests."""

    def get_values(self, lst, list_columns):
        lst = list(lst)
        seats = seats_of([r.booking for r in lst if r.booking is not None]) \
            if "places" in list_columns else {}
        stale = stale_reasons(lst) if "problem" in list_columns else {}
        for item, values in zip(lst, super().get_values(lst, list_columns), strict=True):
            place = _place(item)
            booking = item.booking
            values.update({
                "school": place.school if place else None,
                "service": place.service if place else None,
                "day": booking.day if booking else None,
            })
            if "places" in list_columns:
                key = (booking.service_id, booking.school_id, booking.day) if booking else None
                values["places"] = places_text(*seats[key]) if key in seats else ""
            if "problem" in list_columns:
                values["problem"] = _problem_text(item, stale, seats)
            yield values

    def get_filters(self, search_columns=None, search_filters=None):
        """FAB's filters of the real columns, plus those of the virtual ones (school, service
        and day of the booking or enrolment; family by name or account number)."""
        if not search_columns:
            return super().get_filters(search_columns, search_filters)
        real = [c for c in search_columns if c not in VIRTUAL_FILTERS]
        filters = super().get_filters(real, search_filters)
        for column in search_columns:
            if column in VIRTUAL_FILTERS:
                instances = [flt(column, self) for flt in VIRTUAL_FILTERS[column]]
                filters._search_filters[column] = instances
                filters._all_filters[column] = instances
        return filters


# --- filters on the virtual columns ------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    return parse_typed_day(value)


class _PlaceIs(BaseFilter):
    """The booking's or the enrolment's school (service) is the chosen one."""

    name = _l("Égal à")
    attribute = ""

    def apply(self, query, value):
        pk = _int(value)
        if pk is None:
            return query
        return query.filter(or_(
            Request.booking.has(getattr(Booking, self.attribute) == pk),
            Request.enrolment.has(getattr(Enrolment, self.attribute) == pk),
        ))


class FilterSchoolIs(_PlaceIs):
    attribute = "school_id"


class FilterServiceIs(_PlaceIs):
    attribute = "service_id"


class FilterDayIs(BaseFilter):
    name = _l("Égal à")
    compare = staticmethod(lambda column, day: column == day)

    def apply(self, query, value):
        day = _date(value)
        if day is None:
            return query
        return query.filter(Request.booking.has(type(self).compare(Booking.day, day)))


class FilterDayFrom(FilterDayIs):
    name = _l("À partir du")
    compare = staticmethod(lambda column, day: column >= day)


class FilterDayTo(FilterDayIs):
    name = _l("Jusqu'au")
    compare = staticmethod(lambda column, day: column <= day)


class FilterFamilyContains(BaseFilter):
    name = _l("Contient")

    def apply(self, query, value):
        text = str(value or "").strip()
        if not text:
            return query
        by_name = and_(*name_contains(Family.search_name, text))
        return query.filter(Request.family.has(
            or_(by_name, Family.account_code.ilike(f"%{text}%"))))


VIRTUAL_FILTERS = {
    "school": (FilterSchoolIs,),
    "service": (FilterServiceIs,),
    "day": (FilterDayIs, FilterDayFrom, FilterDayTo),
    "family": (FilterFamilyContains,),
}


def _select(label, model, order):
    return QuerySelectField(
        label,
        query_func=lambda: db.session.query(model).order_by(order),
        get_pk_func=lambda row: row.id,
        widget=Select2Widget(),
    )


# --- the views ------------------------------------------------------------------------------


class _RequestList(PortalStaffView):
    """What the queue and the decided requests share (abstract: never registered)."""

    list_template = "staff/requests_queue.html"
    show_template = "staff/requests_show.html"
    label_columns = labels({
        "kind": _l("Type"),
        "summary": _l("Demande"),
        "day": _l("Jour"),
        "places": _l("Places (prises / capacité)"),
        "problem": _l("À vérifier"),
        "created_at": _l("Reçue le"),
        "decided_at": _l("Décidée le"),
        "decided_by": _l("Décidée par"),
        "reason": _l("Motif du refus"),
        "old_value": _l("Valeur actuelle"),
        "new_value": _l("Valeur demandée"),
        "created_by": _l("Saisie par"),
    })
    enum_columns = {"kind": RequestKind, "state": RequestState}
    list_eager = ("child", "booking.school", "booking.service", "enrolment.school",
                  "enrolment.service")
    search_columns = ["kind", "school", "service", "day", "family", "created_at", "summary"]
    order_columns = ["created_at", "kind", "summary"]
    show_columns = ["created_at", "family", "child", "kind", "summary", "state", "reason",
                    "decided_by", "decided_at"]
    formatters_columns = {"day": french_date}
    queue_mode = "pending"

    def __init__(self, **kwargs):
        self.search_form_extra_fields = {
            "school": _select(_l("École"), School, School.name),
            "service": _select(_l("Service"), Service, Service.name),
            "day": FrenchDateField(_l("Jour")),
            "family": StringField(_l("Famille"), widget=BS3TextFieldWidget()),
            **(self.search_form_extra_fields or {}),
        }
        super().__init__(**kwargs)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """A request decided since its link was given opens in the decided requests (and
        the other way round), never « Page introuvable »."""
        row = db.session.get(Request, _int(pk)) if _int(pk) is not None else None
        if row is not None and (row.state == RequestState.pending) != (
                self.queue_mode == "pending"):
            other = "StaffRequestQueueView" if row.state == RequestState.pending \
                else "StaffDecidedRequestView"
            return redirect(url_for(f"{other}.show", pk=row.id))
        return super().show(pk)

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            row = db.session.get(Request, _int(kwargs["pk"]))
            kwargs["details"] = request_details(row) if row is not None else None
        if template == self.list_template:
            kwargs.update(queue_mode=self.queue_mode,
                          queue_url=url_for("StaffRequestQueueView.list"),
                          decided_url=url_for("StaffDecidedRequestView.list"))
        return super().render_template(template, **kwargs)


class StaffRequestQueueView(_RequestList):
    datamodel = QueueInterface(Request)
    route_base = "/gestion/file-des-demandes"
    include_route_methods = {"list", "show", "csv", "xlsx", "action", "action_post", "refusal"}
    base_filters = [["state", FilterEqual, RequestState.pending.value]]
    base_order = ("created_at", "asc")  # first come, first served
    list_title = _l("File des demandes")
    show_title = _l("Demande à traiter")
    list_columns = ["created_at", "kind", "summary", "family", "school", "service", "day",
                    "places", "problem"]
    csv_columns = ["created_at", "kind", "summary", "family", "child"]

    @action("validate", _l("Valider"),
            _l("Valider les demandes sélectionnées ? Chaque famille recevra une alerte et un "
               "courriel."), "fa-check", multiple=True, single=True)
    def validate_requests(self, items):
        ids = _ids(items)
        try:
            decided = DecideRequests(ids, VALIDATE, self.current_user_id()).run()
        except CommandError as refused:
            _flash_refusal(refused, _("Aucune demande n'a été validée."))
        else:
            flash(ngettext("%(num)d demande validée : la famille est prévenue.",
                           "%(num)d demandes validées : les familles sont prévenues.",
                           len(decided)), "success")
        return redirect(_back_to_list(), 303)

    @action("refuse", _l("Refuser…"), None, "fa-times", multiple=True, single=True)
    def refuse_requests(self, items):
        return redirect(url_for(".refusal", id=_ids(items)), 303)

    @expose("/refus", methods=["GET", "POST"])
    @has_access
    @permission_name("decide")
    def refusal(self):
        """The selected requests and the reason of their refusal (shown to the family)."""
        source = request.form if request.method == "POST" else request.args
        ids = sorted({i for i in (_int(v) for v in source.getlist("id")) if i is not None})
        if not ids or len(ids) > MAX_SELECTION:
            abort(400)
        errors: list[str] = []
        reason = (request.form.get("reason") or "").strip()
        if request.method == "POST":
            try:
                decided = DecideRequests(ids, REFUSE, self.current_user_id(), reason).run()
            except CommandError as refused:
                errors = refused.messages
            else:
                flash(ngettext("%(num)d demande refusée : la famille est prévenue du motif.",
                               "%(num)d demandes refusées : les familles sont prévenues du "
                               "motif.", len(decided)), "success")
                return redirect(url_for(".list"), 303)
        rows = (
            db.session.query(Request).filter(Request.id.in_(ids))
            .order_by(Request.created_at, Request.id).all()
        )
        if not rows:
            abort(404)
        page = self.render_template("staff/requests_refuse.html", rows=rows, errors=errors,
                                    reason=reason, kind_labels=RequestKind.labels(),
                                    state_labels=RequestState.labels(), received=_received)
        return page, 400 if errors else 200


class StaffDecidedRequestView(_RequestList):
    """The requests already decided (or withdrawn by the family), newest first."""

    datamodel = QueueInterface(Request)
    route_base = "/gestion/demandes-traitees"
    include_route_methods = {"list", "show", "csv", "xlsx"}
    base_filters = [["state", FilterNotEqual, RequestState.pending.value]]
    base_order = ("decided_at", "desc")
    list_title = _l("Demandes traitées")
    show_title = _l("Demande traitée")
    list_columns = ["decided_at", "kind", "summary", "family", "school", "day", "state",
                    "decided_by", "reason"]
    csv_columns = ["created_at", "decided_at", "kind", "summary", "family", "child", "state",
                   "decided_by", "reason"]
    search_columns = [*_RequestList.search_columns, "state", "decided_at"]
    order_columns = ["created_at", "decided_at", "kind", "summary", "state"]
    queue_mode = "decided"


def _received(row: Request) -> str:
    """Stored in UTC, shown in the town's time."""
    return to_user_timezone(row.created_at).strftime("%d/%m/%Y %H:%M")


def _ids(items) -> list[int]:
    items = items if isinstance(items, list) else [items]
    return [item.id for item in items]


def _back_to_list() -> str:
    """The list the staff member came from (with its filters), else the whole queue."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and "/list" in referrer:
        return referrer
    return url_for(".list")


def _flash_refusal(refused: CommandError, summary: str) -> None:
    for message in refused.messages:
        flash(message, "danger")
    flash(summary, "warning")


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffRequestQueueView, _l("File des demandes"), "Réservations",
                  "fa-inbox")
    appbuilder.add_view_no_menu(StaffDecidedRequestView)
