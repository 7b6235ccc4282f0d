"""Login protection state, shared by every worker through the database.

`LoginState` (one row per login, created on first use): the failed attempts in a row, the
current lock and how many locks came before (the delay grows with each), and the session
version that every request's cookie must carry. `LoginAddressFailure`: failed logins per
client address and time window (the per-address limit).

Counters only change through single atomic statements (`UPDATE … SET n = n + 1 …
RETURNING`, `INSERT … ON CONFLICT DO UPDATE`), see app/services/login_guard.py.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from .base import Model


class LoginState(Model):
    __tablename__ = "login_state"

    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    failures = Column(Integer, nullable=False, default=0, server_default="0")
    locks = Column(Integer, nullable=False, default=0, server_default="0")
    locked_until = Column(DateTime)  # naive UTC; None or past: not locked
    session_version = Column(Integer, nullable=False, default=1, server_default="1")

    def __repr__(self) -> str:
        return f"login {self.user_id}: {self.failures} échecs, verrou {self.locked_until}"


class LoginAddressFailure(Model):
    __tablename__ = "login_address_failure"

    address = Column(String(64), primary_key=True)
    window_start = Column(DateTime, primary_key=True)  # naive UTC, start of the window
    failures = Column(Integer, nullable=False, default=0, server_default="0")


__all__ = ["LoginAddressFailure", "LoginState"]


def attach_to_user() -> None:
    """`user.login_state`, loaded with the user in the same query (the session check of
    every request and the lock shown in lists cost no extra SQL). Read-only: the counters
    change through app/services/login_guard.py only."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy.orm import relationship

    if not hasattr(User, "login_state"):
        User.login_state = relationship(LoginState, uselist=False, lazy="joined",
                                        viewonly=True)

