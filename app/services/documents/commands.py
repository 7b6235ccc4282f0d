"""The documents' user actions as commands: a family sends a document, staff publish one
(staff review goes through the request queue: `review_document`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...models import FamilyDocument, PublishedDocument
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from . import CATEGORIES, publish_document, send_family_document


@dataclass
class SendFamilyDocument(BaseCommand):
    """`family_id`: the family the parent acts for (from app.security.scope); `upload`: a
    werkzeug FileStorage."""

    family_id: int | None
    type_id: Any
    child_id: Any
    upload: Any
    user_id: int | None

    def validate(self) -> None:
        if self.family_id is None:
            raise CommandError(_("Aucune famille n'est liée à votre compte."))

    def run(self) -> FamilyDocument:
        self.validate()
        with transaction():
            return send_family_document(self.family_id, self.type_id, self.child_id or None,
                                        self.upload, self.user_id)


@dataclass
class PublishDocument(BaseCommand):
    """A document of the structure (menu, tarifs, règlement) for every school or one."""

    title: str
    category: str | None
    school_id: Any
    upload: Any
    published_on: dt.date
    unpublished_on: dt.date | None
    user_id: int | None

    def validate(self) -> None:
        errors = ErrorCollector()
        if not (self.title or "").strip():
            errors.add(_("Indiquez le titre du document."), "title")
        if self.category not in CATEGORIES:
            errors.add(_("Choisissez une catégorie."), "category")
        if self.unpublished_on and self.unpublished_on <= self.published_on:
            errors.add(_("La date de retrait doit suivre la date de publication."),
                       "unpublished_on")
        errors.raise_if_any()

    def run(self) -> PublishedDocument:
        self.validate()
        with transaction():
            return publish_document(self.title.strip()[:200], self.category,
                                    self.school_id or None, self.upload, self.published_on,
                                    self.unpublished_on, self.user_id)
