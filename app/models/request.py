"""Family requests that staff decide, and the alerts the family receives."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class RequestKind(LabelledEnum):
    enrolment = "enrolment"
    enrolment_change = "enrolment_change"
    enrolment_cancel = "enrolment_cancel"
    booking = "booking"
    modification = "modification"
    cancellation = "cancellation"
    waiting_list = "waiting_list"
    data_change = "data_change"
    document = "document"
    absence = "absence"


RequestKind.LABELS = {
    RequestKind.enrolment: _l("Inscription"),
    RequestKind.enrolment_change: _l("Modification d'inscription"),
    RequestKind.enrolment_cancel: _l("Annulation d'inscription"),
    RequestKind.booking: _l("Réservation hors délai"),
    RequestKind.modification: _l("Modification de réservation"),
    RequestKind.cancellation: _l("Annulation de réservation"),
    RequestKind.waiting_list: _l("Liste d'attente"),
    RequestKind.data_change: _l("Modification de données"),
    RequestKind.document: _l("Document transmis"),
    RequestKind.absence: _l("Absence signalée"),
}


class RequestState(LabelledEnum):
    pending = "pending"
    validated = "validated"
    refused = "refused"
    withdrawn = "withdrawn"


RequestState.LABELS = {
    RequestState.pending: _l("En attente"),
    RequestState.validated: _l("Validée"),
    RequestState.refused: _l("Refusée"),
    RequestState.withdrawn: _l("Retirée"),
}


class Request(Model):
    """Every family request: who, what, old → new, state, reason, decided by / at."""

    __tablename__ = "family_request"
    # The queue (pending, oldest first) and the decided list (latest first), by index.
    __table_args__ = (Index("ix_family_request_state_created_at_id", "state", "created_at", "id"),)
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    child_id = Column(Integer, ForeignKey("child.id", ondelete="SET NULL"))
    kind = Column(String(20), nullable=False)
    state = Column(String(12), nullable=False, default=RequestState.pending, index=True)
    summary = Column(String(255), nullable=False)
    old_value = Column(Text)  # JSON
    new_value = Column(Text)  # JSON
    booking_id = Column(Integer, ForeignKey("booking.id", ondelete="SET NULL"))
    enrolment_id = Column(Integer, ForeignKey("enrolment.id", ondelete="SET NULL"))
    document_id = Column(Integer, ForeignKey("family_document.id", ondelete="SET NULL"))
    created_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    reason = Column(Text)  # refusal reason, shown to the family
    decided_by_id = user_fk()
    decided_at = Column(DateTime, index=True)

    family = relationship("Family")
    child = relationship("Child")
    booking = relationship("Booking")
    enrolment = relationship("Enrolment")
    document = relationship("FamilyDocument")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return self.summary


class Alert(Model):
    """A message to the family ("Alertes" rubrique), e.g. the decision on a request."""

    __tablename__ = "alert"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    request_id = Column(Integer, ForeignKey("family_request.id", ondelete="SET NULL"))
    title = Column(String(200), nullable=False)
    message = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    read_at = Column(DateTime)
    mailed = Column(Boolean, nullable=False, default=False)

    family = relationship("Family")
    request = relationship("Request")

    def __repr__(self) -> str:
        return self.title
