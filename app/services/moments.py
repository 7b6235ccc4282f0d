"""The one French formatter of a moment (a stored date-time) for people.

Date-times are stored naive in UTC (`models.base.utcnow`); people read them in Paris time
and in words: « mardi 1 décembre à 20 h 35 », with the year when it is not this year's
(« lundi 30 novembre 2025 à 9 h 05 »). Used by every parent page (Jinja filter
`moment`), the mails and the request queue.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from .calendar import PARIS, local_today


def in_paris(value: dt.datetime) -> dt.datetime:
    """A stored naive UTC date-time (or an aware one) in Paris time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS)


def _locale() -> str:
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else "fr"


def moment(value: dt.datetime | dt.date | None, *, today: dt.date | None = None) -> str:
    """« mardi 1 décembre à 20 h 35 »; a plain date gives « mardi 1 décembre »."""
    if value is None:
        return ""
    this_year = (today or local_today()).year
    if isinstance(value, dt.datetime):
        local = in_paris(value)
        pattern = (_("EEEE d MMMM 'à' H 'h' mm") if local.year == this_year
                   else _("EEEE d MMMM yyyy 'à' H 'h' mm"))
        text = format_datetime(local, pattern, tzinfo=PARIS, locale=_locale())
        return text.replace(" h ", "\u00a0h\u00a0")  # « 20 h 35 » never cut at a line end
    pattern = _("EEEE d MMMM") if value.year == this_year else _("EEEE d MMMM yyyy")
    return format_datetime(dt.datetime.combine(value, dt.time(12)), pattern,
                           locale=_locale())
