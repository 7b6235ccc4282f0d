"""Dates the French way in every back-office form: typed and shown `jj/mm/aaaa`, with a
calendar (bootstrap-datepicker, already served by FAB, set to French in
app/static/js/datepicker_fr.js). PortalStaffView gives this field to every date column of
an add or edit form; a hand-made form uses it directly."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField
from wtforms.widgets import html_params

from ..services.reservations.lookup import parse_typed_day

FRENCH = "%d/%m/%Y"


def parse_french_date(text: str | None) -> dt.date | None:
    """`01/12/2026` (or `2026-12-01`, `1-12-2026`) → 1 December 2026; None if not a date."""
    return parse_typed_day(text)


class FrenchDatePickerWidget(DatePickerWidget):
    """A text input `jj/mm/aaaa` with the calendar beside it (not FAB's `appbuilder_date`
    class, which ab.js sets to yyyy-mm-dd)."""

    data_template = (
        '<div class="input-group date portal-date" id="datepicker">'
        '<span class="input-group-addon"><i class="fa fa-calendar cursor-hand"></i></span>'
        "<input %(text)s />"
        "</div>"
    )

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        params = html_params(
            type="text", value=field._value(), placeholder=str(_l("jj/mm/aaaa")),
            autocomplete="off", maxlength=10, **{
                "class": "form-control", "data-provide": "datepicker",
                "data-date-format": "dd/mm/yyyy", "data-date-language": "fr",
                "data-date-week-start": "1", "data-date-autoclose": "true",
                "data-date-force-parse": "false",
            }, **kwargs)
        return Markup(self.data_template % {"text": params})


class FrenchDateField(DateField):
    """Accepts `jj/mm/aaaa` (and ISO), shows `jj/mm/aaaa`, refuses in French."""

    widget = FrenchDatePickerWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", FRENCH)
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(FRENCH) if isinstance(self.data, dt.date) else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        if not text:
            self.data = None
            return
        self.data = parse_french_date(text)
        if self.data is None:
            raise ValueError(str(_l("« %(value)s » n'est pas une date : écrivez-la "
                                    "jj/mm/aaaa, par exemple 01/12/2026.", value=text)))
