"""Mailings: one message from the service to the families chosen by school, class, service
or enrolment, mailed through the outbox and shown in each family's « Alertes »."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import Model, user_fk, utcnow


class Mailing(Model):
    __tablename__ = "mailing"
    id = Column(Integer, primary_key=True)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    criteria = Column(Text, nullable=False)  # JSON: the selection, as the manager chose it
    criteria_label = Column(String(500))  # the same, in French words
    family_count = Column(Integer, nullable=False, default=0)
    mail_count = Column(Integer, nullable=False, default=0)
    sent_by_id = user_fk()
    sent_at = Column(DateTime, nullable=False, default=utcnow, index=True)

    sent_by = relationship("User", foreign_keys=[sent_by_id])
    recipients = relationship("MailingRecipient", back_populates="mailing",
                              cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.subject


class MailingRecipient(Model):
    """A family the mailing went to, and the alert it shows in the family's space."""

    __tablename__ = "mailing_recipient"
    id = Column(Integer, primary_key=True)
    mailing_id = Column(Integer, ForeignKey("mailing.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    family_id = Column(Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False,
                       index=True)
    alert_id = Column(Integer, ForeignKey("alert.id", ondelete="SET NULL"))

    mailing = relationship("Mailing", back_populates="recipients")
    family = relationship("Family")
    alert = relationship("Alert")


__all__ = ["Mailing", "MailingRecipient"]
