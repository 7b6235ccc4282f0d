"""French formats of invoices: 1 234,50 €, 26/11/2026, « novembre 2026 »."""

from __future__ import annotations

import datetime as dt
from functools import partial

from flask_babel import force_locale, format_date

from ..calendar import local_today
from ..money import NBSP
from ..money import euros as money_euros

# `money.euros` with the no-break space of the PDF's standard fonts (they lack the narrow
# one) as thousands separator: documents and mails.
euros = partial(money_euros, space=NBSP)


def date_fr(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def month_label(month: dt.date) -> str:
    """The billed month in words, in French whatever the user's language: 'novembre 2026'."""
    with force_locale("fr"):
        return format_date(month, "MMMM yyyy")


def of_month(month: dt.date) -> str:
    """'de septembre 2026', 'd'octobre 2026' (French elision before avril, août, octobre)."""
    label = month_label(month)
    return f"d'{label}" if label[:1] in "aeiouâéèêô" else f"de {label}"


def today() -> dt.date:
    """Today in Paris, or the day of PORTAL_FIXED_NOW (see calendar.local_now)."""
    return local_today()
