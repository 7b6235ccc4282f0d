"""Actualités (the parents' home page): the rule of their dates, checked for every news
item staff write (the back office's FAB form calls it before saving)."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from .errors import ErrorCollector


def check_news_dates(published_on: dt.date | None, unpublished_on: dt.date | None) -> None:
    """Raise CommandError when the news would be withdrawn before it is published."""
    errors = ErrorCollector()
    if unpublished_on and published_on and unpublished_on < published_on:
        errors.add(_l("La date de retrait doit être postérieure à la date de publication."),
                   "unpublished_on")
    errors.raise_if_any()


def structure_info():
    """The structure's information page (hours, addresses, contacts) parents read on their
    Accueil: the most recently updated one, or None."""
    from ..extensions import db
    from ..models import StructureInfo

    return (db.session.query(StructureInfo)
            .order_by(StructureInfo.updated_at.desc(), StructureInfo.id.desc()).first())
