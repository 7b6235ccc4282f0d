"""REST API of the parent space (browser session), scoped to the family.

- GET /api/v1/bookings/: the family's bookings (read-only, FAB ModelRestApi);
- POST /api/v1/bookings/change: one planning cell changed with the same rules as the page
  (ChangeDay: deadlines, capacity, family isolation). The planning's script uses it too.
"""

from __future__ import annotations

from flask import request
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...models import Booking
from ...services.reservations import CommandError
from ...services.reservations.day import ChangeDay
from ..base import ParentModelRestApi, PortalInterface
from .planning_grid import cell_after_change, cell_json, family_id, portal_now


class ParentBookingApi(ParentModelRestApi):
    resource_name = "bookings"
    datamodel = PortalInterface(Booking)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = [
        "id",
        "day",
        "state",
        "attendance",
        "child_id",
        "service_id",
        "child.first_name",
        "service.name",
    ]
    show_columns = list_columns
    search_columns = ["day", "state", "child", "service"]
    order_columns = ["day"]
    # Read-only: `_info` describes what a booking is made of, not every column of the table.
    add_columns = ["child", "service", "day"]
    edit_columns = ["day"]
    label_columns = {
        "id": _l("Identifiant"),
        "day": _l("Jour"),
        "state": _l("État"),
        "attendance": _l("Présence"),
        "child": _l("Enfant"),
        "child_id": _l("Enfant (numéro)"),
        "service": _l("Service"),
        "service_id": _l("Service (numéro)"),
        "child.first_name": _l("Prénom de l'enfant"),
        "service.name": _l("Nom du service"),
    }


class ParentBookingChangeApi(BaseApi):
    """Book, cancel, withdraw, note or toggle one day for one child and service."""

    resource_name = "bookings"
    allow_browser_login = True
    # The session cookie authenticates: a forged cross-site POST must fail, so the
    # X-CSRFToken header (or csrf_token field) is required, unlike FAB's default.
    csrf_exempt = False
    openapi_spec_tag = "Bookings"

    @expose("/change", methods=["POST"])
    @protect(allow_browser_login=True)
    def change(self):
        """Book, cancel, withdraw, note or toggle one day (the planning's rules).
        ---
        post:
          description: >-
            One planning cell changed. 200 gives the new cell and the outcome message;
            400 gives message and messages in French, and nothing is changed.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [child_id, service_id, day]
                  properties:
                    child_id: {type: integer}
                    service_id: {type: integer}
                    day: {type: string, format: date}
                    action:
                      type: string
                      enum: [toggle, book, cancel, withdraw, note]
                    note: {type: string, maxLength: 255}
          responses:
            200:
              description: The cell after the change
            400:
              description: Refused, in French; nothing changed
        """
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return self._refused([_("Requête invalide : envoyez un objet JSON.")])
        family = family_id()
        if family is None:
            return self._refused([_("Aucune famille n'est liée à votre compte.")])
        now = portal_now()
        command = ChangeDay(
            family,
            payload.get("child_id"),
            payload.get("service_id"),
            payload.get("day"),
            payload.get("action") or "toggle",
            note=payload.get("note") if isinstance(payload.get("note"), str) else None,
            now=now,
            actor_user_id=current_user.id,
        )
        try:
            outcome = command.run()
        except CommandError as refused:
            return self._refused(refused.messages)
        target = command.target
        cell = cell_after_change(
            family, target.child, target.service, target.calendar, outcome.day, now
        )
        return self.response(
            200,
            cell=cell_json(target.child, target.service, cell),
            message=outcome.message,
            changed=outcome.changed,
            request_id=outcome.request_id,
        )

    def _refused(self, messages: list[str]):
        return self.response(400, message=" ".join(messages), messages=messages)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_api(ParentBookingApi)
    appbuilder.add_api(ParentBookingChangeApi)
