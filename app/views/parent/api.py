"""REST API of the parent space (browser session): the family's bookings, read-only for now.
Writes come with the reservation rules (deadlines, capacity) in their own commands."""

from __future__ import annotations

from flask_appbuilder import AppBuilder

from ...models import Booking
from ..base import ParentModelRestApi, PortalInterface


class ParentBookingApi(ParentModelRestApi):
    resource_name = "bookings"
    datamodel = PortalInterface(Booking)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "day", "state", "attendance", "child_id", "service_id", "child.first_name",
                    "service.name"]
    show_columns = list_columns
    search_columns = ["day", "state", "child", "service"]
    order_columns = ["day"]


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_api(ParentBookingApi)
