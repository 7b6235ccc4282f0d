"""Accounts of the guardians (domain rule 10): the structure creates the login, the guardian
chooses the password through a single-use link sent by mail. No password ever travels by
mail.

- `invite()` gives a guardian a login (if needed: an unusable random password, never shown)
  and mails an invitation link; staff may send it again, which voids the previous link.
- `request_reset()` (« Mot de passe oublié ») mails the same kind of link to a parent's
  address and does nothing for an unknown one; the caller answers the same way in both cases.
- `set_password()` uses a link once, before it expires, and unlocks the account.

Only the sha256 of a token is stored; a new link voids the open ones of the same user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, update
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import AccountToken, Guardian, TokenPurpose, User
from ..models.base import utcnow
from ..security.passwords import MIN_LENGTH, password_problems
from ..security.roles import PARENT
from . import login_guard
from .calendar import PARIS
from .errors import CommandError
from .links import absolute_link
from .mail import queue_mail

__all__ = [
    "MIN_LENGTH",
    "invite",
    "open_token",
    "password_problems",
    "request_reset",
    "set_password",
]

DEFAULT_HOURS = {TokenPurpose.invite: 72, TokenPurpose.reset: 2}
# A reset asked again within this delay sends nothing (no mail-bombing of a parent).
RESET_QUIET = dt.timedelta(minutes=2)
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hours(purpose: str) -> int:
    key = "PORTAL_INVITE_HOURS" if purpose == TokenPurpose.invite else "PORTAL_RESET_HOURS"
    return int(current_app.config.get(key) or DEFAULT_HOURS[purpose])


def valid_email(address: str | None) -> bool:
    return bool(address) and len(address) <= 120 and bool(EMAIL.match(address))


# --- passwords ---------------------------------------------------------------------------


def _hash_password(password: str) -> str:
    config = current_app.config
    return generate_password_hash(
        password,
        method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )


def _store_password(user, password: str) -> int:
    """New password: unlocks the login and ends all its sessions (returns the new session
    version), in the caller's transaction."""
    user.password = _hash_password(password)
    user.fail_login_count = 0
    login_guard.clear_lock(user.id)
    return login_guard.bump_session_version(user.id)


# --- tokens ------------------------------------------------------------------------------


#: A new link voids the open links of the same family of purposes only: a lock's unlock
#: link never voids the owner's password link.
VOIDS = {
    TokenPurpose.invite: (TokenPurpose.invite, TokenPurpose.reset),
    TokenPurpose.reset: (TokenPurpose.invite, TokenPurpose.reset),
    TokenPurpose.unlock: (TokenPurpose.unlock,),
    TokenPurpose.email: (TokenPurpose.email,),
}


def issue_token(user, purpose: str, created_by_id: int | None = None,
                hours: int | None = None, **values) -> tuple[str, AccountToken]:
    """A new link for `user` (voids the open ones of the same kind). Returns the token, shown
    only in the mail."""
    now = utcnow()
    _void_open_tokens(user.id, now, VOIDS.get(purpose))
    token = secrets.token_urlsafe(32)
    row = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours or _hours(purpose)),
        created_by_id=created_by_id,
        **values,
    )
    db.session.add(row)
    return token, row


def _open(query, now: dt.datetime):
    return query.filter(
        AccountToken.used_at.is_(None),
        AccountToken.revoked_at.is_(None),
        AccountToken.expires_at > now,
    )


def _void_open_tokens(user_id: int, now: dt.datetime, purposes=None) -> None:
    statement = update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.used_at.is_(None),
        AccountToken.revoked_at.is_(None))
    if purposes:
        statement = statement.where(AccountToken.purpose.in_([str(p) for p in purposes]))
    db.session.execute(
        statement
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def open_token(token: str | None,
               purposes=(TokenPurpose.invite, TokenPurpose.reset)) -> AccountToken | None:
    """The token's row if the link can still be used (known, of one of these purposes,
    unused, not replaced, not expired); None for anything else, without telling which."""
    if not token or len(token) > 100:
        return None
    # A login deactivated by staff stays closed, whatever links it still has.
    query = (db.session.query(AccountToken).join(User, User.id == AccountToken.user_id)
             .filter(AccountToken.token_hash == hash_token(token), User.active.is_(True),
                     AccountToken.purpose.in_([str(p) for p in purposes])))
    return _open(query, utcnow()).first()


def claim_token(row: AccountToken, now: dt.datetime) -> bool:
    """Use a link with one conditional UPDATE: two submissions at once use it once."""
    claimed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None),
               AccountToken.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def set_password(token: str, password: str, confirm: str):
    """Use a link: set the password, void the link (and any other open one), unlock the
    account. Raises CommandError (nothing written) for a dead link or a weak password."""
    row = open_token(token)
    if row is None:
        raise CommandError(_("Ce lien n'est plus valable."))
    user = row.user
    problems = password_problems(password, confirm, user)
    if problems:
        raise CommandError(problems)
    now = utcnow()
    if not claim_token(row, now):
        db.session.rollback()
        raise CommandError(_("Ce lien n'est plus valable."))
    _void_open_tokens(user.id, now)
    _store_password(user, password)
    db.session.commit()
    return user


# --- invitations ---------------------------------------------------------------------------


def login_available(email: str, user_id: int | None = None) -> bool:
    """No other login uses this address (as username or email)."""
    address = email.strip().lower()
    query = db.session.query(User.id).filter(
        or_(func.lower(User.username) == address, func.lower(User.email) == address)
    )
    if user_id is not None:
        query = query.filter(User.id != user_id)
    return query.first() is None


def _create_login(guardian: Guardian) -> User:
    """A Parent login named after the guardian's address, with a random password nobody
    knows: the account is usable only once the guardian has chosen their own."""
    sm = current_app.appbuilder.sm
    email = guardian.email.strip().lower()
    if not login_available(email):
        raise CommandError(
            _("L'adresse %(email)s est déjà utilisée par un autre compte.", email=email)
        )
    user = sm.add_user(
        email, guardian.first_name, guardian.last_name, email, sm.find_role(PARENT),
        hashed_password=_hash_password(secrets.token_urlsafe(32)), commit=False,
    )
    if not user:
        raise CommandError(_("Le compte de %(name)s n'a pas pu être créé.", name=guardian))
    db.session.flush()
    guardian.user_id = user.id
    return user


def invite(guardian: Guardian, staff_user_id: int | None = None) -> AccountToken:
    """Create the guardian's login if needed and mail them a link to choose their password
    (in the caller's transaction, not committed). Sending it again voids the previous link."""
    if not valid_email(guardian.email):
        raise CommandError(
            _("%(name)s n'a pas d'adresse électronique valide : ajoutez-la d'abord.",
              name=guardian)
        )
    if guardian.user is not None and login_is_active(guardian.user):
        # The link would go to the guardian's contact address, which staff may edit: an
        # active login's credentials are never re-routed (its owner uses « Mot de passe
        # oublié », sent to the login's own address).
        raise CommandError(_(
            "Le compte de %(name)s est déjà actif : une invitation n'est plus possible. Pour "
            "un oubli de mot de passe, la personne utilise « Mot de passe oublié » ; son "
            "adresse de connexion ne change que par elle-même, après confirmation.",
            name=guardian))
    user = guardian.user or _create_login(guardian)
    address = guardian.email.strip().lower()
    if (user.email or "").lower() != address:
        # A login never used yet: the invitation goes to the corrected address (audited).
        if not login_available(address, user.id):
            raise CommandError(
                _("L'adresse %(email)s est déjà utilisée par un autre compte.", email=address))
        user.email = address
    token, row = issue_token(user, TokenPurpose.invite, staff_user_id)
    queue_mail(
        guardian.email,
        _l("Votre accès au portail famille"),
        "account_invite",
        family_id=guardian.family_id,
        kind="account_invite",
        first_name=guardian.first_name,
        username=user.username,
        link=_link(token),
        expires=paris_time(row.expires_at),
    )
    return row


# --- forgotten password --------------------------------------------------------------------


def request_reset(email: str | None) -> None:
    """Mail a reset link if `email` is a parent's address; do nothing otherwise (the caller
    answers the same either way). Commits."""
    address = (email or "").strip().lower()
    if not valid_email(address):
        return
    row = (
        db.session.query(User, Guardian)
        .join(Guardian, Guardian.user_id == User.id)
        .filter(func.lower(User.email) == address, User.active.is_(True))
        .first()
    )
    if row is None or _recently_sent(row[0].id):
        return
    user, guardian = row
    token, token_row = issue_token(user, TokenPurpose.reset)
    queue_mail(
        user.email,
        _l("Choisir un nouveau mot de passe"),
        "password_reset",
        family_id=guardian.family_id,
        kind="password_reset",
        first_name=user.first_name,
        username=user.username,
        link=_link(token),
        expires=paris_time(token_row.expires_at),
    )
    db.session.commit()


def _recently_sent(user_id: int) -> bool:
    since = utcnow() - RESET_QUIET
    return (
        db.session.query(AccountToken.id)
        .filter(AccountToken.user_id == user_id, AccountToken.purpose == TokenPurpose.reset,
                AccountToken.created_at > since)
        .first()
        is not None
    )


# --- helpers -------------------------------------------------------------------------------


def _link(token: str) -> str:
    """Absolute link of the password page (given by app.views.public.password)."""
    return absolute_link("choose_password", token=token)


def paris_time(moment: dt.datetime) -> str:
    local = moment.replace(tzinfo=dt.UTC).astimezone(PARIS)
    return local.strftime("%d/%m/%Y à %H:%M")


def login_is_active(user) -> bool:
    """The owner has used this login (logged in, or chosen a password from a link)."""
    if user.last_login is not None:
        return True
    return db.session.query(AccountToken.id).filter(
        AccountToken.user_id == user.id, AccountToken.used_at.isnot(None),
        AccountToken.purpose.in_([TokenPurpose.invite, TokenPurpose.reset])).first() is not None


def account_state(user, now: dt.datetime | None = None) -> str:
    """none / invited / expired / active / locked: what staff see next to a guardian."""
    if user is None:
        return "none"
    if login_guard.is_locked(user):
        return "locked"
    tokens = db.session.query(AccountToken).filter(AccountToken.user_id == user.id)
    if login_is_active(user):
        return "active"
    return "invited" if _open(tokens, now or utcnow()).first() else "expired"


def open_invitation(user) -> AccountToken | None:
    """The user's link still usable, if any (for the staff's account page)."""
    query = db.session.query(AccountToken).filter(AccountToken.user_id == user.id)
    return _open(query, utcnow()).order_by(AccountToken.id.desc()).first()

