"""Outgoing mail (transactional outbox): each email is a row written in the same transaction
as the action that causes it, then sent by background work (app.services.mail).

A rolled-back action leaves no mail; a committed one keeps its mail even while the SMTP
server is down, until a retry or `flask portal mail-flush` delivers it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, utcnow


class MailState(LabelledEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after MAIL_MAX_ATTEMPTS, or refused for good by the server


MailState.LABELS = {
    MailState.pending: _l("En attente d'envoi"),
    MailState.sent: _l("Envoyé"),
    MailState.failed: _l("Échec d'envoi"),
}


class OutgoingMail(Model):
    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_state_next", "state", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    recipient = Column(String(254), nullable=False)
    subject = Column(String(255), nullable=False)
    body_text = Column(Text, nullable=False)
    body_html = Column(Text)
    # Stable across resends, so a receiving server can drop a duplicate.
    message_id = Column(String(255), nullable=False)
    kind = Column(String(40), nullable=False)  # e.g. "request_decision"
    family_id = Column(Integer, ForeignKey("family.id", ondelete="SET NULL"), index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    state = Column(String(10), nullable=False, default=MailState.pending)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    # Backoff: the periodic flush leaves the mail alone before this time.
    next_attempt_at = Column(DateTime)
    # Lease of the sender currently talking to SMTP: no second sender while it runs.
    locked_until = Column(DateTime)
    sent_at = Column(DateTime)

    family = relationship("Family")

    def __repr__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class MailAttachment(Model):
    """A file sent with an outbox mail (the caterer's order PDF and CSV)."""

    __tablename__ = "mail_attachment"
    id = Column(Integer, primary_key=True)
    mail_id = Column(Integer, ForeignKey("outgoing_mail.id", ondelete="CASCADE"),
                     nullable=False, index=True)
    filename = Column(String(120), nullable=False)
    mimetype = Column(String(80), nullable=False)
    content = Column(LargeBinary, nullable=False)
