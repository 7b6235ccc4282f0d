"""Mailed single-use links of a login's owner besides the password ones: unlocking a locked
login, and confirming a new login address (sent to the new address, with a notice to the
current one). The caller passes `link_for(token) -> absolute URL` (services build no URL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import AccountToken, Guardian, TokenPurpose
from .accounts import issue_token, open_token, paris_time
from .mail import queue_mail

LinkFor = Callable[[str], str]
UNLOCK_HOURS = 24
EMAIL_HOURS = 48


def _family_id(user_id: int) -> int | None:
    row = db.session.query(Guardian.family_id).filter(Guardian.user_id == user_id).first()
    return row[0] if row else None


def mail_unlock_link(user, until: dt.datetime, link_for: LinkFor) -> AccountToken | None:
    """The lock just started: mail its owner a link that ends it. Commits."""
    if not user.email:
        return None
    token, row = issue_token(user, TokenPurpose.unlock, hours=UNLOCK_HOURS)
    queue_mail(
        user.email, _l("Votre accès au portail famille est bloqué"), "account_unlock",
        family_id=_family_id(user.id), kind="account_unlock", first_name=user.first_name,
        username=user.username, until=paris_time(until), link=link_for(token),
        expires=paris_time(row.expires_at),
    )
    db.session.commit()
    return row


def mail_email_confirmation(user, new_email: str, link_for: LinkFor,
                            acting_user_id: int | None) -> AccountToken:
    """A link to the new address (the change happens when it is opened) and a notice to the
    current one. In the caller's transaction."""
    token, row = issue_token(user, TokenPurpose.email, acting_user_id, hours=EMAIL_HOURS,
                             new_email=new_email)
    family = _family_id(user.id)
    queue_mail(
        new_email, _l("Confirmez votre nouvelle adresse"), "login_email_confirm",
        family_id=family, kind="login_email_confirm", first_name=user.first_name,
        username=user.username, link=link_for(token), expires=paris_time(row.expires_at),
    )
    mail_email_notice(user, user.email, new_email, confirmed=False)
    return row


def mail_email_notice(user, old_email: str | None, new_email: str, confirmed: bool) -> None:
    queue_mail(
        old_email, _l("Changement d'adresse de votre accès"), "login_email_notice",
        family_id=_family_id(user.id), kind="login_email_notice",
        first_name=user.first_name, username=user.username, new_email=new_email,
        confirmed=confirmed,
    )


def open_link(token: str | None, purpose: str) -> AccountToken | None:
    return open_token(token, purposes=(purpose,))
