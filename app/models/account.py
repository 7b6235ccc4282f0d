"""Single-use links a guardian follows to choose their password (invitation, forgotten
password), to unlock their login, or to confirm a new login address. Only a hash of the
token is stored: the link itself exists only in the mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class TokenPurpose(LabelledEnum):
    invite = "invite"
    reset = "reset"
    unlock = "unlock"  # mailed to the owner when their login gets locked
    email = "email"  # confirms a new login address (sent to that address)


TokenPurpose.LABELS = {
    TokenPurpose.invite: _l("Invitation"),
    TokenPurpose.reset: _l("Mot de passe oublié"),
    TokenPurpose.unlock: _l("Déblocage du compte"),
    TokenPurpose.email: _l("Confirmation de la nouvelle adresse"),
}


class AccountToken(Model):
    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user", "user_id", "created_at"),)

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    purpose = Column(String(10), nullable=False)
    # sha256 of the token, hex: a stolen database gives no usable link.
    token_hash = Column(String(64), unique=True, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)  # the password was chosen with this link
    revoked_at = Column(DateTime)  # a newer link (or a password change) replaced it
    created_by_id = user_fk()
    new_email = Column(String(120))  # purpose "email": the address being confirmed

    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"{self.purpose} {self.user_id} → {self.expires_at:%d/%m/%Y %H:%M}"


__all__ = ["AccountToken", "TokenPurpose"]
