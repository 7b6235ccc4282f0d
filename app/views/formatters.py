"""Display helpers shared by staff and parent views (French labels, money, dates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from jinja2 import pass_context

from ..models.base import LabelledEnum
from ..services.billing import fr as billing_fr


def enum_label(enum: type[LabelledEnum]) -> Callable[[str | None], str]:
    """Formatter showing the French label of a stored state code."""

    def format_value(value: str | None) -> str:
        if value is None:
            return ""
        try:
            return enum(value).label
        except ValueError:
            return str(value)

    return format_value


def french_date(value: dt.date | None) -> str:
    return billing_fr.date_fr(value)


#: Filters whose answer depends on the request (the user's permissions, the URL's
#: arguments, the clock): FAB's, and ours that read the portal's clock.
REQUEST_FILTERS = ("is_item_visible", "is_menu_visible", "get_actions_on_list",
                   "get_actions_on_show", "safe_url_for", "link_order", "link_page",
                   "link_page_size", "get_link_next", "get_link_back", "set_link_filters",
                   "get_link_order", "moment")


def _per_render(function: Callable) -> Callable:
    """The filter, marked as reading the render's context: Jinja then never computes it
    once, when it compiles the template. Jinja folds a filter applied to constants
    (`"can_csv" | is_item_visible("StaffKitchenCountView")`) into the compiled template:
    the first user to open the page after a start fixed its buttons for every user of
    that worker process (an agent saw a manager's export buttons, or a manager lost them)."""

    @pass_context
    def per_render(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return per_render


def register_filters(app) -> None:
    """Jinja filters every template uses: `moment` (« mardi 1 décembre à 20 h 35 », Paris
    time) and `phone` (`02 99 00 11 22`); the request-dependent filters made per render."""
    from ..services.contact_format import format_phone
    from ..services.moments import moment

    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["phone"] = format_phone
    for name in REQUEST_FILTERS:
        app.jinja_env.filters[name] = _per_render(app.jinja_env.filters[name])
