"""A guardian accepts or refuses one version of a consent (BaseCommand, audited)."""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _

from ...extensions import db
from ...models import AuditLog, ConsentAnswer, ConsentVersion, Guardian
from ...models.base import utcnow
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from .rules import versions_in_force


class AnswerConsent(BaseCommand):
    """Only the version in force can be answered; answering again replaces the answer."""

    def __init__(self, user_id: int, username: str, family_id: int, version_id, answer,
                 today: dt.date):
        self.user_id, self.username, self.family_id = user_id, username, family_id
        self.raw_version, self.raw_answer, self.today = version_id, answer, today
        self.guardian: Guardian | None = None
        self.version: ConsentVersion | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        self.guardian = (
            db.session.query(Guardian)
            .filter_by(user_id=self.user_id, family_id=self.family_id)
            .one_or_none()
        )
        if self.guardian is None:
            raise CommandError(_("Seul un responsable légal de la famille peut répondre."))
        try:
            wanted = int(self.raw_version)
        except (TypeError, ValueError):
            wanted = None
        self.version = next((v for v in versions_in_force(self.today) if v.id == wanted), None)
        if self.version is None:
            errors.add(_("Cette version n'est pas (ou plus) en vigueur : rechargez la page."))
        if self.raw_answer not in ("accept", "refuse"):
            errors.add(_("Indiquez si vous acceptez ou refusez."), "answer")
        errors.raise_if_any()

    def run(self) -> ConsentAnswer:
        self.validate()
        accepted = self.raw_answer == "accept"
        with transaction():
            answer = (
                db.session.query(ConsentAnswer)
                .filter_by(version_id=self.version.id, guardian_id=self.guardian.id)
                .one_or_none()
            )
            if answer is None:
                answer = ConsentAnswer(version_id=self.version.id, guardian_id=self.guardian.id,
                                       family_id=self.family_id)
                db.session.add(answer)
            answer.accepted, answer.answered_at, answer.user_id = accepted, utcnow(), \
                self.user_id
            db.session.flush()
            db.session.add(AuditLog(
                user_id=self.user_id, username=self.username,
                action="accept" if accepted else "refuse", table_name="consent_answer",
                object_id=str(answer.id),
                changes=json.dumps({"document": self.version.document.code,
                                    "version": self.version.number,
                                    "guardian_id": self.guardian.id}, ensure_ascii=False),
            ))
        return answer
