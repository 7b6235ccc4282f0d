"""Commands on a login: unlock it (staff, or its owner's mailed link), end all its sessions
(staff), change its password (the one form for everybody), change its address (its owner
only, confirmed from the new address). Each is audited (`audit_log`)."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import AuditLog, Guardian, TokenPurpose, User
from ..models.base import utcnow
from ..security.passwords import password_problems
from . import login_guard
from .account_links import LinkFor, mail_email_confirmation, mail_email_notice, open_link
from .accounts import _store_password, _void_open_tokens, claim_token, login_available, valid_email
from .command import BaseCommand
from .errors import CommandError, ErrorCollector, transaction


def audit(actor_id: int | None, action: str, user: User, **changes) -> None:
    """One audit entry about a login, in the caller's transaction."""
    actor = db.session.get(User, actor_id) if actor_id else None
    db.session.add(AuditLog(
        user_id=actor_id, username=actor.username if actor else None, action=action[:10],
        table_name="ab_user", object_id=str(user.id),
        changes=json.dumps(changes, ensure_ascii=False, default=str),
    ))


def _login(user_id) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise CommandError(_("Ce compte n'existe pas."))
    return user


class UnlockLogin(BaseCommand):
    """« Débloquer » (staff)."""

    def __init__(self, user_id: int, staff_id: int | None):
        self.user_id, self.staff_id = user_id, staff_id

    def validate(self) -> None:
        self.user = _login(self.user_id)

    def run(self) -> User:
        self.validate()
        with transaction():
            login_guard.clear_lock(self.user.id)
            _void_open_tokens(self.user.id, utcnow(), (TokenPurpose.unlock,))
            audit(self.staff_id, "unlock", self.user, by="staff")
        return self.user


class UnlockWithLink(BaseCommand):
    """The owner's single-use link from the lock mail."""

    def __init__(self, token: str | None):
        self.token = token

    def validate(self) -> None:
        self.row = open_link(self.token, TokenPurpose.unlock)
        if self.row is None:
            raise CommandError(_("Ce lien n'est plus valable."))

    def run(self) -> User:
        self.validate()
        with transaction():
            if not claim_token(self.row, utcnow()):
                raise CommandError(_("Ce lien n'est plus valable."))
            login_guard.clear_lock(self.row.user_id)
            audit(self.row.user_id, "unlock", self.row.user, by="owner_link")
        return self.row.user


class RevokeSessions(BaseCommand):
    """« Déconnecter partout » (staff): every open session of the login ends."""

    def __init__(self, user_id: int, staff_id: int | None):
        self.user_id, self.staff_id = user_id, staff_id

    def validate(self) -> None:
        self.user = _login(self.user_id)

    def run(self) -> int:
        self.validate()
        with transaction():
            version = login_guard.bump_session_version(self.user.id)
            audit(self.staff_id, "logout_all", self.user, session_version=version)
        return version


class ChangePassword(BaseCommand):
    """The one password form: the current password, then the policy. Ends every session of
    the login; returns the new session version (the caller's own session keeps going)."""

    def __init__(self, user: User, current: str | None, password: str | None,
                 confirm: str | None):
        self.user, self.current = user, current or ""
        self.password, self.confirm = password or "", confirm or ""

    def validate(self) -> None:
        errors = ErrorCollector()
        if not check_password_hash(self.user.password or "", self.current):
            errors.add(_("Le mot de passe actuel est incorrect."), "current")
        for problem in password_problems(self.password, self.confirm, self.user):
            errors.add(problem, "password")
        if self.password and self.password == self.current:
            errors.add(_("Le nouveau mot de passe doit être différent de l'actuel."),
                       "password")
        errors.raise_if_any()

    def run(self) -> int:
        self.validate()
        with transaction():
            version = _store_password(self.user, self.password)
            _void_open_tokens(self.user.id, utcnow())  # pending links are no longer needed
            audit(self.user.id, "password", self.user)
        return version


class RequestLoginEmailChange(BaseCommand):
    """The owner asks for a new login address: a link to it, a notice to the current one.
    Nothing changes until the link is opened."""

    def __init__(self, user: User, acting_user_id: int | None, new_email: str | None,
                 link_for: LinkFor):
        self.user, self.acting_user_id, self.link_for = user, acting_user_id, link_for
        self.new_email = (new_email or "").strip().lower()

    def validate(self) -> None:
        if self.acting_user_id != self.user.id:
            raise CommandError(_("Seul ce responsable légal peut modifier l'adresse de son "
                                 "propre compte."))
        if not valid_email(self.new_email):
            raise CommandError(_("L'adresse « %(email)s » n'est pas une adresse électronique "
                                 "valide.", email=self.new_email))
        if not login_available(self.new_email, self.user.id):
            raise CommandError(_("L'adresse %(email)s est déjà utilisée par un autre compte.",
                                 email=self.new_email))

    def run(self) -> str:
        self.validate()
        with transaction():
            mail_email_confirmation(self.user, self.new_email, self.link_for,
                                    self.acting_user_id)
            audit(self.acting_user_id, "email_ask", self.user,
                  email=[self.user.email, self.new_email])
        return self.new_email


class ConfirmLoginEmail(BaseCommand):
    """The link opened from the new address: the login (and its guardian's contact address)
    take it; the old address is told."""

    def __init__(self, token: str | None):
        self.token = token

    def validate(self) -> None:
        self.row = open_link(self.token, TokenPurpose.email)
        if self.row is None or not self.row.new_email:
            raise CommandError(_("Ce lien n'est plus valable."))
        if not login_available(self.row.new_email, self.row.user_id):
            raise CommandError(_("L'adresse %(email)s est déjà utilisée par un autre compte.",
                                 email=self.row.new_email))

    def run(self) -> User:
        self.validate()
        user, new = self.row.user, self.row.new_email
        with transaction():
            if not claim_token(self.row, utcnow()):
                raise CommandError(_("Ce lien n'est plus valable."))
            old = user.email
            user.email = new
            for guardian in db.session.query(Guardian).filter(Guardian.user_id == user.id):
                guardian.email = new
            mail_email_notice(user, old, new, confirmed=True)
            audit(user.id, "email_set", user, email=[old, new])
        return user


def change_password(user, current: str, password: str, confirm: str) -> int:
    """The one password form (« Mon compte », the staff page): see ChangePassword."""
    return ChangePassword(user, current, password, confirm).run()
