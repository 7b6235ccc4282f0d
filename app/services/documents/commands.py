"""The documents' user actions as commands: a family sends a document, staff publish one,
staff review one (accept or refuse, through the request queue's `DecideRequests`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...extensions import db
from ...models import DocumentState, FamilyDocument, PublishedDocument, Request, RequestKind
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from ..reservations.decide import REFUSE, VALIDATE, DecideRequests
from . import (
    CATEGORIES,
    pending_request,
    publish_document,
    request_summary,
    send_family_document,
)


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


@dataclass
class ReviewDocument(BaseCommand):
    """Staff accept a family's document (with its validity dates) or refuse it (with a
    reason): the request it belongs to is decided through the queue's `DecideRequests`, so
    the family gets the same alert and mail as for any other request."""

    document_id: int
    accept: bool
    staff_user_id: int | None
    reason: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def validate(self) -> FamilyDocument:
        document = db.session.get(FamilyDocument, self.document_id)
        if document is None:
            raise CommandError(_("Ce document n'existe plus."))
        errors = ErrorCollector()
        if document.state != DocumentState.pending:
            errors.add(_("Ce document a déjà été vérifié."))
        if (self.accept and self.valid_from and self.valid_until
                and self.valid_until < self.valid_from):
            errors.add(_("La fin de validité doit suivre le début de validité."), "valid_until")
        if not self.accept and not (self.reason or "").strip():
            errors.add(_("Indiquez le motif du refus : il sera communiqué à la famille."),
                       "reason")
        errors.raise_if_any()
        return document

    def run(self) -> FamilyDocument:
        document = self.validate()
        with transaction():
            request = pending_request(document)
            if self.accept:
                document.valid_from, document.valid_until = self.valid_from, self.valid_until
            if request is None:  # a document sent without a request (attached by staff)
                request = Request(family_id=document.family_id, child_id=document.child_id,
                                  kind=RequestKind.document, summary=request_summary(document),
                                  document_id=document.id)
                db.session.add(request)
                db.session.flush()
            DecideRequests([request.id], VALIDATE if self.accept else REFUSE,
                           self.staff_user_id, self.reason).apply()
        return document
