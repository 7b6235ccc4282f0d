"""The booking block: a required consent not accepted in its version in force refuses any
new booking of the family (cancelling, withdrawing and notes stay possible)."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...models import ConsentVersion
from ..errors import CommandError
from .rules import missing_required


class ConsentRequired(CommandError):
    """A booking refused until these versions are accepted (the view adds the link)."""

    def __init__(self, versions: list[ConsentVersion]):
        self.versions = versions
        names = ", ".join(f"« {v.document.title} » (version {v.number})" for v in versions)
        super().__init__(_(
            "Pour réserver, acceptez d'abord %(names)s dans la rubrique « Mes autorisations ».",
            names=names))


def check_consents_for_booking(family_id: int, today: dt.date) -> None:
    missing = missing_required(family_id, today)
    if missing:
        raise ConsentRequired(missing)
