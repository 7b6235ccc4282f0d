"""The pivot identity FranceConnect certifies, and whether it is the guardian's."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass(frozen=True)
class Identity:
    sub: str
    given_name: str
    family_name: str
    birthdate: dt.date | None
    gender: str = ""
    birthplace: str = ""
    birthcountry: str = ""
    preferred_username: str = ""  # nom d'usage, when the person has one

    @classmethod
    def from_claims(cls, claims: dict) -> Identity:
        try:
            birthdate = dt.date.fromisoformat(claims.get("birthdate") or "")
        except ValueError:
            birthdate = None
        return cls(
            sub=str(claims["sub"]),
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
            birthdate=birthdate,
            gender=str(claims.get("gender") or ""),
            birthplace=str(claims.get("birthplace") or ""),
            birthcountry=str(claims.get("birthcountry") or ""),
            preferred_username=str(claims.get("preferred_username") or ""),
        )


def normalized(text: str | None) -> str:
    """'Le Gall-Hervé ' → 'LE GALL HERVE': no accents, case, hyphens or apostrophes."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-'’]+", " ", plain).strip().upper()


def _first_name_matches(first_name: str, given_names: str) -> bool:
    """The guardian's first name is one of the given names, or a run of them
    ('Jean Pierre' in 'JEAN PIERRE MARIE')."""
    first, given = normalized(first_name), normalized(given_names)
    return bool(first) and f" {first} " in f" {given} "


def mismatch(guardian, identity: Identity) -> str | None:
    """None when FranceConnect's identity is the guardian's (names, and the birth date
    when the record has one); else the French reason, without the recorded data."""
    last_names = {normalized(identity.family_name), normalized(identity.preferred_username)}
    name_ok = normalized(guardian.last_name) in last_names - {""}
    first_ok = _first_name_matches(guardian.first_name, identity.given_name)
    if identity.birthdate is None:
        return _("FranceConnect n'a pas transmis de date de naissance : l'identité ne peut "
                 "pas être vérifiée.")
    birth_ok = guardian.birth_date is None or guardian.birth_date == identity.birthdate
    if name_ok and first_ok and birth_ok:
        return None
    return _("L'identité transmise par FranceConnect ne correspond pas à celle du responsable "
             "légal enregistré (nom, prénom ou date de naissance). Rien n'a été modifié : "
             "contactez le service des affaires scolaires si vos informations ont changé.")
