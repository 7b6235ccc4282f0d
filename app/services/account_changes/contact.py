"""Contact details that a family changes at once (« Mon compte »), as commands taking typed
values: the view builds a `FamilyContact` or a `GuardianContact` from its form.

`validate()` cleans every value (spaces, case) and gathers every problem in one
`CommandError` whose `fields` name the inputs: French postcodes and phone numbers are checked
and stored the French way by `app.services.contact_format` (`35000`, `02 99 00 11 22`),
e-mail addresses are checked and lower-cased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import Family, Guardian
from .. import contact_format
from ..accounts import valid_email
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction


class _Cleaner:
    """Cleans the values of one form, gathering every problem by field."""

    def __init__(self) -> None:
        self.errors = ErrorCollector()

    def text(self, name: str, value: str | None, limit: int) -> str | None:
        value = " ".join((value or "").split())
        if len(value) > limit:
            self.errors.add(_("« %(field)s » est trop long (%(n)s caractères au plus).",
                              field=value[:30], n=limit), name)
        return value or None

    def phone(self, name: str, value: str | None) -> str | None:
        value = self.text(name, value, 25)
        problem = contact_format.phone_problem(value)
        if problem:
            self.errors.add(_("Le numéro « %(phone)s » n'est pas un numéro de téléphone "
                              "valide.", phone=value) + " " + problem, name)
        return contact_format.format_phone(value) or None

    def email(self, name: str, value: str | None, required: bool = False) -> str | None:
        value = (self.text(name, value, 120) or "").lower() or None
        if (value or required) and not valid_email(value):
            self.errors.add(_("L'adresse « %(email)s » n'est pas une adresse électronique "
                              "valide.", email=value or ""), name)
        return value

    def postal_code(self, name: str, value: str | None) -> str | None:
        value = self.text(name, value, 10)
        problem = contact_format.postcode_problem(value)
        if problem:
            self.errors.add(_("Le code postal « %(code)s » n'est pas valide.", code=value)
                            + " " + problem, name)
        return contact_format.normalise_postcode(value) or None


def _apply(row, values: dict) -> list[str]:
    """Set the values that differ; the names of the changed fields."""
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return changed


@dataclass(frozen=True)
class FamilyContact:
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class UpdateFamilyContact(BaseCommand):
    """The family's address, phone and e-mail, at once. `run()` returns the changed fields."""

    family_id: int
    contact: FamilyContact

    def validate(self) -> dict:
        clean = _Cleaner()
        values = {
            "address": clean.text("address", self.contact.address, 255),
            "postal_code": clean.postal_code("postal_code", self.contact.postal_code),
            "city": clean.text("city", self.contact.city, 80),
            "phone": clean.phone("phone", self.contact.phone),
            "email": clean.email("email", self.contact.email),
        }
        if db.session.get(Family, self.family_id) is None:
            clean.errors.add(_("Aucune famille n'est liée à votre compte."))
        clean.errors.raise_if_any()
        return values

    def run(self) -> list[str]:
        values = self.validate()
        with transaction():
            return _apply(db.session.get(Family, self.family_id), values)


@dataclass(frozen=True)
class GuardianContact:
    phone_mobile: str | None = None
    phone_work: str | None = None
    email: str | None = None


@dataclass
class UpdateGuardianContact(BaseCommand):
    """A guardian's phones and e-mail, at once. A login's address is another matter: it
    receives the password links, so only its owner may change it, and only once the new
    address is confirmed by the link mailed to it (the current address is told): then the
    returned list holds "email_pending" and the e-mail is unchanged for now."""

    family_id: int
    guardian_id: int | None
    contact: GuardianContact
    acting_user_id: int | None = None
    link_for: Callable[[str], str] | None = None

    def _guardian(self) -> Guardian:
        guardian = (
            db.session.query(Guardian)
            .filter(Guardian.family_id == self.family_id, Guardian.id == self.guardian_id)
            .first()
        ) if self.guardian_id is not None else None
        if guardian is None:
            raise CommandError(_("Ce responsable légal n'est pas rattaché à votre famille."))
        return guardian

    def validate(self) -> tuple[Guardian, dict, object]:
        guardian = self._guardian()
        clean = _Cleaner()
        values = {
            "phone_mobile": clean.phone("phone_mobile", self.contact.phone_mobile),
            "phone_work": clean.phone("phone_work", self.contact.phone_work),
            "email": clean.email("email", self.contact.email,
                                 required=guardian.user_id is not None),
        }
        clean.errors.raise_if_any()
        request_change = None
        if guardian.user is not None and values["email"] != (guardian.user.email or "").lower():
            from ..login_commands import RequestLoginEmailChange

            request_change = RequestLoginEmailChange(guardian.user, self.acting_user_id,
                                                     values["email"], self.link_for)
            request_change.validate()
            values["email"] = guardian.email  # changes when the new address is confirmed
        return guardian, values, request_change

    def run(self) -> list[str]:
        guardian, values, request_change = self.validate()
        with transaction():
            changed = _apply(guardian, values)
        if request_change is not None:
            request_change.run()
            changed.append("email_pending")
        return changed


@dataclass
class SetMailPreferences(BaseCommand):
    """Which alerts also come by mail: every kind of `all_kinds` not in `kinds_on` is off."""

    family_id: int
    kinds_on: list[str]
    all_kinds: list[str]

    def validate(self) -> None:
        if db.session.get(Family, self.family_id) is None:
            raise CommandError(_("Aucune famille n'est liée à votre compte."))

    def run(self) -> None:
        self.validate()
        off = sorted(kind for kind in self.all_kinds if kind not in self.kinds_on)
        with transaction():
            db.session.get(Family, self.family_id).mail_alerts_off = ",".join(off) or None
