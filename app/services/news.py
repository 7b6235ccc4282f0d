"""Actualités (the parents' home page): the rule of their dates and the commands that save
and delete a news item (the back office's FAB form hands its filled item to them through
`app.views.staff.news.NewsInterface`: FAB itself commits nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import News
from .command import BaseCommand
from .errors import ErrorCollector, transaction


def check_news_dates(published_on: dt.date | None, unpublished_on: dt.date | None,
                     errors: ErrorCollector | None = None) -> None:
    """Raise CommandError when the news would be withdrawn before it is published (or add
    the problem to `errors`, raised by the caller with its others)."""
    collector = errors if errors is not None else ErrorCollector()
    if unpublished_on and published_on and unpublished_on < published_on:
        collector.add(_l("La date de retrait doit être postérieure à la date de publication."),
                      "unpublished_on")
    if errors is None:
        collector.raise_if_any()


@dataclass
class SaveNews(BaseCommand):
    """Publish a new news item or save the changes of one (the item filled by the form)."""

    item: News

    def validate(self) -> None:
        errors = ErrorCollector()
        if not (self.item.title or "").strip():
            errors.add(_l("Indiquez le titre de l'actualité."), "title")
        if not (self.item.body or "").strip():
            errors.add(_l("Indiquez le texte de l'actualité."), "body")
        if self.item.published_on is None:
            errors.add(_l("Indiquez la date de publication."), "published_on")
        check_news_dates(self.item.published_on, self.item.unpublished_on, errors)
        errors.raise_if_any()

    def run(self) -> News:
        with db.session.no_autoflush:
            self.validate()
        with transaction():
            db.session.add(self.item)  # a new item; an edited one is in the session already
        return self.item


@dataclass
class DeleteNews(BaseCommand):
    """Withdraw a news item for good (to hide it for now, staff set its withdrawal date)."""

    item: News

    def validate(self) -> None:
        """A news item can always be deleted."""

    def run(self) -> None:
        self.validate()
        with transaction():
            db.session.delete(self.item)


def structure_info():
    """The structure's information page (hours, addresses, contacts) parents read on their
    Accueil: the most recently updated one, or None."""
    from ..models import StructureInfo

    return (db.session.query(StructureInfo)
            .order_by(StructureInfo.updated_at.desc(), StructureInfo.id.desc()).first())
