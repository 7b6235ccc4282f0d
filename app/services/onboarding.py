"""A new family, created by staff: the household, its guardians (each with a login when
they have an address) and, if asked, their invitations (app.services.accounts.invite)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..extensions import db
from ..models import AccountToken, Family, Guardian
from .accounts import invite, login_available, valid_email
from .command import BaseCommand
from .errors import CommandError, transaction

FAMILY_FIELDS = ("name", "account_code", "address", "postal_code", "city", "phone", "email")
GUARDIAN_FIELDS = ("first_name", "last_name", "relationship_label", "email", "phone_mobile")


@dataclass
class OnboardFamily(BaseCommand):
    """Create a family (`family`: FAMILY_FIELDS → text) and its guardians (each a dict of
    GUARDIAN_FIELDS → text; an empty one is skipped), each with a login if they have an
    address, and, if asked, mail each one an invitation. One transaction: all or nothing."""

    family: dict[str, str | None]
    guardians: list[dict[str, str | None]]
    send_invitations: bool
    staff_user_id: int | None = None

    def _people(self) -> list[dict]:
        return [g for g in self.guardians if any((g.get(k) or "").strip() for k in g)]

    def validate(self) -> None:
        errors = _onboarding_problems((self.family.get("name") or "").strip(), self.family,
                                      self._people(), self.send_invitations)
        if errors:
            raise CommandError(errors)

    def run(self) -> Family:
        self.validate()
        values = self.family
        with transaction():
            family = Family(
                name=(values.get("name") or "").strip(),
                account_code=(values.get("account_code") or "").strip() or None,
                **{k: (values.get(k) or "").strip() or None
                   for k in ("address", "postal_code", "city", "phone", "email")},
            )
            family.account_code = family.account_code or _next_account_code()
            db.session.add(family)
            for person in self._people():
                guardian = Guardian(
                    family=family,
                    **{k: (person.get(k) or "").strip() or None
                       for k in ("first_name", "last_name", "relationship_label",
                                 "phone_mobile")},
                    email=(person.get("email") or "").strip().lower() or None,
                )
                db.session.add(guardian)
                db.session.flush()
                if self.send_invitations and guardian.email:
                    invite(guardian, self.staff_user_id)
        return family


def _onboarding_problems(name: str, values: dict, people: list[dict], inviting: bool) -> list:
    errors: list[str] = []
    if not name:
        errors.append(_("Indiquez le nom du foyer."))
    code = (values.get("account_code") or "").strip()
    if code and db.session.query(Family.id).filter_by(account_code=code).first():
        errors.append(_("Le numéro de compte %(code)s existe déjà.", code=code))
    if not people:
        errors.append(_("Indiquez au moins un responsable légal."))
    seen: set[str] = set()
    for person in people:
        label = " ".join(filter(None, [person.get("first_name"), person.get("last_name")]))
        if not (person.get("first_name") or "").strip() or not (person.get("last_name") or
                                                                  "").strip():
            errors.append(_("Indiquez le prénom et le nom de chaque responsable légal."))
        email = (person.get("email") or "").strip().lower()
        if inviting and not email:
            errors.append(_("%(name)s : une adresse électronique est nécessaire pour "
                            "l'invitation.", name=label or _("responsable")))
        elif email and not valid_email(email):
            errors.append(_("%(name)s : l'adresse « %(email)s » n'est pas valide.",
                            name=label, email=email))
        elif email and (email in seen or not login_available(email)):
            errors.append(_("L'adresse %(email)s est déjà utilisée par un autre compte.",
                            email=email))
        seen.add(email)
    return errors


def _next_account_code() -> str:
    """F00001, F00002… after the highest code of this form."""
    codes = db.session.query(Family.account_code).filter(Family.account_code.like("F%")).all()
    numbers = [int(c[1:]) for (c,) in codes if c[1:].isdigit()]
    return f"F{max(numbers, default=0) + 1:05d}"


@dataclass
class InviteGuardian(BaseCommand):
    """Staff (re)send a guardian the link to choose their password (the previous link
    stops working)."""

    guardian_id: int
    staff_user_id: int | None

    def validate(self) -> None:
        if db.session.get(Guardian, self.guardian_id) is None:
            raise CommandError(_("Responsable introuvable."))

    def run(self) -> AccountToken:
        self.validate()
        with transaction():
            return invite(db.session.get(Guardian, self.guardian_id), self.staff_user_id)
