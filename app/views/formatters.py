"""Display helpers shared by staff and parent views (French labels, money, dates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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


def register_filters(app) -> None:
    """Jinja filters every template uses: `moment` (« mardi 1 décembre à 20 h 35 », Paris
    time) and `phone` (`02 99 00 11 22`)."""
    from ..services.contact_format import format_phone
    from ..services.moments import moment

    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["phone"] = format_phone
