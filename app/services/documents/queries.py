"""What the documents' pages read (no writing here): the documents a family still has to
send (its home page, the staff's « documents manquants » list) and the structure's
publications in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select

from ...extensions import db
from ...models import DocumentState, DocumentType, Family, FamilyDocument, PublishedDocument
from ..calendar import local_today

# --- documents a family still has to send ----------------------------------------------------


@dataclass(frozen=True)
class MissingDocument:
    document_type: DocumentType
    state: str  # "missing", "expired" or "rejected"
    valid_until: dt.date | None = None

    @property
    def label(self) -> str:
        return self.document_type.label


def _valid_clause(today: dt.date):
    return and_(
        FamilyDocument.state == DocumentState.accepted,
        or_(FamilyDocument.valid_until.is_(None), FamilyDocument.valid_until >= today),
    )


def missing_documents(family_id: int, today: dt.date | None = None) -> list[MissingDocument]:
    """The required documents the family has no valid copy of, and none waiting to be
    checked: never sent, expired, or refused. For the parent's home page reminder."""
    today = today or local_today()
    required = db.session.query(DocumentType).filter(DocumentType.required.is_(True)).all()
    if not required:
        return []
    documents = (
        db.session.query(FamilyDocument)
        .filter(FamilyDocument.family_id == family_id,
                FamilyDocument.document_type_id.in_([t.id for t in required]))
        .order_by(FamilyDocument.uploaded_at.desc(), FamilyDocument.id.desc())
        .all()
    )
    result = []
    for doc_type in sorted(required, key=lambda t: t.label):
        mine = [d for d in documents if d.document_type_id == doc_type.id]
        state = _state(mine, today)
        if state is not None:
            result.append(MissingDocument(doc_type, *state))
    return result


def _state(documents: list[FamilyDocument], today: dt.date) -> tuple | None:
    accepted = [d for d in documents if d.state == DocumentState.accepted]
    if any(d.valid_until is None or d.valid_until >= today for d in accepted):
        return None
    if any(d.state == DocumentState.pending for d in documents):
        return None
    if accepted:
        return "expired", max(d.valid_until for d in accepted)
    if documents:
        return ("rejected",)
    return ("missing",)


def families_missing_query(today: dt.date):
    """(family id, document type id) of every active family lacking a valid required
    document (one SQL query, for the staff list; paged by the caller)."""
    has_valid = exists().where(
        FamilyDocument.family_id == Family.id,
        FamilyDocument.document_type_id == DocumentType.id,
        _valid_clause(today),
    )
    return (
        select(Family, DocumentType)
        .join(DocumentType, DocumentType.required.is_(True))
        .where(Family.active.is_(True), ~has_valid)
        .order_by(Family.name, Family.id, DocumentType.label)
    )


def missing_states(pairs: list[tuple[int, int]], today: dt.date) -> dict[tuple, tuple]:
    """(family id, type id) → (state, date) for rows of the staff list: pending (sent, to
    check), expired (with its last day), rejected or missing. One query."""
    if not pairs:
        return {}
    documents = (
        db.session.query(FamilyDocument)
        .filter(FamilyDocument.family_id.in_({f for f, _t in pairs}),
                FamilyDocument.document_type_id.in_({t for _f, t in pairs}))
        .all()
    )
    states: dict[tuple, tuple] = {}
    for pair in pairs:
        mine = [d for d in documents if (d.family_id, d.document_type_id) == pair]
        if any(d.state == DocumentState.pending for d in mine):
            states[pair] = ("pending", None)
        else:
            found = _state(mine, today) or ("missing",)
            states[pair] = (found[0], found[1] if len(found) > 1 else None)
    return states


# --- documents published by the structure ----------------------------------------------------


def published_for_schools(school_ids: set[int], today: dt.date | None = None):
    """Published documents in force today for every school or one of `school_ids`."""
    today = today or local_today()
    return (
        db.session.query(PublishedDocument)
        .filter(
            PublishedDocument.published_on <= today,
            or_(PublishedDocument.unpublished_on.is_(None),
                PublishedDocument.unpublished_on > today),
            or_(PublishedDocument.school_id.is_(None),
                PublishedDocument.school_id.in_(school_ids or {-1})),
        )
        .order_by(PublishedDocument.category, PublishedDocument.published_on.desc(),
                  PublishedDocument.id.desc())
    )
