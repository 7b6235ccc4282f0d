"""Link, unlink and log in with FranceConnect: one command per user action."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from ...extensions import db
from ...models import AccountToken, FranceConnectLink, Guardian, User
from ...models.base import utcnow
from ..accounts import open_token
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from .identity import Identity, mismatch


def _link_of_sub(sub: str) -> FranceConnectLink | None:
    return db.session.query(FranceConnectLink).filter_by(sub=sub).first()


class LinkFranceConnect(BaseCommand):
    """Link the guardian's account to the FranceConnect identity (once; names and birth date
    must be the guardian's). A missing birth date is taken from FranceConnect."""

    def __init__(self, guardian_id: int | None, identity: Identity):
        self.guardian_id = guardian_id
        self.identity = identity
        self.guardian: Guardian | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        self.guardian = db.session.get(Guardian, self.guardian_id) if self.guardian_id else None
        if self.guardian is None:
            errors.add(_("Aucun responsable légal n'est rattaché à ce compte."))
            errors.raise_if_any()
        reason = mismatch(self.guardian, self.identity)
        if reason:
            errors.add(reason)
        other = _link_of_sub(self.identity.sub)
        if other is not None and other.guardian_id != self.guardian.id:
            errors.add(_("Cette identité FranceConnect est déjà liée à un autre compte."))
        own = db.session.query(FranceConnectLink).filter_by(guardian_id=self.guardian.id).first()
        if own is not None and own.sub != self.identity.sub:
            errors.add(_("Votre compte est déjà lié à une autre identité FranceConnect : "
                         "demandez au service de supprimer ce lien d'abord."))
        errors.raise_if_any()

    def run(self) -> FranceConnectLink:
        with transaction():
            self.validate()
            return self._apply()

    def _apply(self) -> FranceConnectLink:
        link = _link_of_sub(self.identity.sub)
        if link is None:
            person = self.identity
            link = FranceConnectLink(
                guardian_id=self.guardian.id, sub=person.sub, given_name=person.given_name,
                family_name=person.family_name, birthdate=person.birthdate,
                gender=person.gender, birthplace=person.birthplace,
                birthcountry=person.birthcountry, linked_at=utcnow(),
            )
            db.session.add(link)
        if self.guardian.birth_date is None:
            self.guardian.birth_date = self.identity.birthdate
        return link


class LinkFromInvitation(LinkFranceConnect):
    """From the invitation link: the link is used (once), the guardian is linked."""

    def __init__(self, token: str, identity: Identity):
        self.token = token
        row = open_token(token)
        self.token_row = row
        guardian = (db.session.query(Guardian).filter_by(user_id=row.user_id).first()
                    if row is not None else None)
        super().__init__(guardian.id if guardian else None, identity)

    def validate(self) -> None:
        if self.token_row is None:
            raise CommandError(_("Ce lien d'invitation n'est plus valable."))
        super().validate()

    def run(self) -> User:
        with transaction():
            self.validate()
            claimed = db.session.execute(
                update(AccountToken)
                .where(AccountToken.id == self.token_row.id, AccountToken.used_at.is_(None),
                       AccountToken.revoked_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                raise CommandError(_("Ce lien d'invitation n'est plus valable."))
            self._apply()
        return LoginWithFranceConnect(self.identity).run()


class LoginWithFranceConnect(BaseCommand):
    """The login of a linked guardian (identity checked again: a record may have changed)."""

    def __init__(self, identity: Identity):
        self.identity = identity
        self.link: FranceConnectLink | None = None

    def validate(self) -> None:
        from ...security.manager import PortalSecurityManager

        self.link = _link_of_sub(self.identity.sub)
        if self.link is None:
            raise CommandError(_(
                "Votre identité FranceConnect n'est liée à aucun compte du portail. "
                "Connectez-vous une première fois avec votre identifiant et votre mot de "
                "passe, puis liez FranceConnect depuis « Mon compte »."))
        guardian = self.link.guardian
        user = guardian.user
        if user is None or not user.active:
            raise CommandError(_("Ce compte est désactivé. Contactez le service des affaires "
                                 "scolaires."))
        if PortalSecurityManager.is_locked(user):
            raise CommandError(_("Ce compte est verrouillé après plusieurs essais de mot de "
                                 "passe. Réessayez plus tard."))
        reason = mismatch(guardian, self.identity)
        if reason:
            raise CommandError(reason)

    def run(self) -> User:
        with transaction():
            self.validate()
            now = utcnow()
            self.link.last_login_at = now
            user = self.link.guardian.user
            user.last_login = now
            user.login_count = (user.login_count or 0) + 1
            user.fail_login_count = 0
        return user


class UnlinkFranceConnect(BaseCommand):
    """Staff remove a guardian's FranceConnect link (the password login stays)."""

    def __init__(self, link_id: int):
        self.link_id = link_id
        self.link: FranceConnectLink | None = None

    def validate(self) -> None:
        self.link = db.session.get(FranceConnectLink, self.link_id)
        if self.link is None:
            raise CommandError(_("Ce lien FranceConnect n'existe plus."))

    def run(self) -> str:
        with transaction():
            self.validate()
            name = str(self.link.guardian)
            db.session.delete(self.link)
        return name
