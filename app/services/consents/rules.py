"""Which version of each consent is in force, and what a family has not accepted yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from ...extensions import db
from ...models import ConsentAnswer, ConsentDocument, ConsentVersion, Guardian


def _in_force_clause(version, today: dt.date):
    """`version` is in force: effective, and no higher effective number of its document."""
    later = aliased(ConsentVersion)
    return and_(
        version.effective_from <= today,
        ~exists().where(
            later.document_id == version.document_id,
            later.effective_from <= today,
            later.number > version.number,
        ),
    )


def versions_in_force(today: dt.date) -> list[ConsentVersion]:
    """The version in force of every active consent document (one statement)."""
    return (
        db.session.query(ConsentVersion)
        .options(joinedload(ConsentVersion.document),
                 joinedload(ConsentVersion.published_document))
        .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
        .filter(ConsentDocument.active.is_(True), _in_force_clause(ConsentVersion, today))
        .order_by(ConsentDocument.required.desc(), ConsentDocument.title)
        .all()
    )


@dataclass
class ConsentState:
    version: ConsentVersion
    answers: list[ConsentAnswer] = field(default_factory=list)  # this version's, by guardian

    @property
    def accepted(self) -> bool:
        """Accepted by at least one guardian of the family in this version."""
        return any(a.accepted for a in self.answers)

    @property
    def blocking(self) -> bool:
        return self.version.document.required and not self.accepted

    def answer_of(self, guardian_id: int) -> ConsentAnswer | None:
        return next((a for a in self.answers if a.guardian_id == guardian_id), None)


def consent_states(family_id: int, today: dt.date) -> list[ConsentState]:
    """Every consent in force with the family's answers to it (two statements)."""
    versions = versions_in_force(today)
    if not versions:
        return []
    answers = (
        db.session.query(ConsentAnswer)
        .options(joinedload(ConsentAnswer.guardian))
        .filter(ConsentAnswer.family_id == family_id,
                ConsentAnswer.version_id.in_([v.id for v in versions]))
        .all()
    )
    return [ConsentState(v, [a for a in answers if a.version_id == v.id]) for v in versions]


def missing_required(family_id: int, today: dt.date) -> list[ConsentVersion]:
    """The required consents in force that no guardian of the family accepted."""
    return [s.version for s in consent_states(family_id, today) if s.blocking]


def missing_required_count(user_id: int, today: dt.date):
    """SQL expression: required consents in force not accepted by the family of guardian
    `user_id` (for the menu's counter, inside its one statement)."""
    families = select(Guardian.family_id).where(Guardian.user_id == user_id)
    accepted = exists().where(
        ConsentAnswer.version_id == ConsentVersion.id,
        ConsentAnswer.family_id.in_(families),
        ConsentAnswer.accepted.is_(True),
    )
    return (
        select(func.count(ConsentVersion.id))
        .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
        .where(
            ConsentDocument.active.is_(True),
            ConsentDocument.required.is_(True),
            _in_force_clause(ConsentVersion, today),
            ~accepted,
            exists().where(Guardian.user_id == user_id),
        )
        .scalar_subquery()
    )
