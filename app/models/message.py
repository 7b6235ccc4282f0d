"""Conversations between a family (one household) and the service, their messages and the
messages' attachments (checked like every upload, stored outside the web root).

A conversation belongs to exactly one family: for separated parents, each household has its
own conversations, even about the child they share.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class Topic(LabelledEnum):
    canteen = "canteen"
    care = "care"
    invoices = "invoices"
    other = "other"


Topic.LABELS = {
    Topic.canteen: _l("Restaurant scolaire"),
    Topic.care: _l("Accueil périscolaire"),
    Topic.invoices: _l("Factures et paiements"),
    Topic.other: _l("Autre sujet"),
}


class ConversationState(LabelledEnum):
    open = "open"
    closed = "closed"


ConversationState.LABELS = {
    ConversationState.open: _l("Ouverte"),
    ConversationState.closed: _l("Close"),
}


class Side(LabelledEnum):
    family = "family"
    staff = "staff"


Side.LABELS = {Side.family: _l("Famille"), Side.staff: _l("Service")}


class Conversation(Model):
    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_state_last", "state", "last_message_at"),)
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    child_id = Column(Integer, ForeignKey("child.id", ondelete="SET NULL"))
    # The staff inbox sorts by school: the child's, else the family's first child's.
    school_id = Column(Integer, ForeignKey("school.id", ondelete="SET NULL"), index=True)
    topic = Column(String(16), nullable=False, default=Topic.other)
    subject = Column(String(200), nullable=False)
    state = Column(String(10), nullable=False, default=ConversationState.open)
    started_by = Column(String(10), nullable=False, default=Side.family)
    assigned_to_id = user_fk(index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_message_at = Column(DateTime, nullable=False, default=utcnow)
    closed_at = Column(DateTime)
    closed_by_id = user_fk()

    family = relationship("Family")
    child = relationship("Child")
    school = relationship("School")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    messages = relationship(
        "Message",
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="Message.id",
    )

    def __repr__(self) -> str:
        return self.subject


class Message(Model):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_conversation_unread", "conversation_id", "side", "read_at"),
    )
    id = Column(Integer, primary_key=True)
    conversation_id = Column(
        Integer, ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False
    )
    side = Column(String(10), nullable=False)  # who wrote it: family or staff
    author_id = user_fk()
    author_name = Column(String(160), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    read_at = Column(DateTime)  # when the other side first opened it

    conversation = relationship("Conversation", back_populates="messages")
    attachments = relationship(
        "MessageAttachment", back_populates="message", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"{self.author_name} — {self.created_at:%d/%m/%Y %H:%M}"


class MessageAttachment(Model):
    __tablename__ = "message_attachment"
    id = Column(Integer, primary_key=True)
    message_id = Column(
        Integer, ForeignKey("message.id", ondelete="CASCADE"), nullable=False, index=True
    )
    original_filename = Column(String(255), nullable=False)
    stored_name = Column(String(64), unique=True, nullable=False)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)

    message = relationship("Message", back_populates="attachments")

    def __repr__(self) -> str:
        return self.original_filename
