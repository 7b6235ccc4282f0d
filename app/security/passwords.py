"""The one password policy, for every user (parents, agents, managers, admins) and every form
(invitation and reset links, « Mon compte », the staff password page, an admin creating a
login).

- CNIL délibération 2022-100, recommendation n°1 (about 80 bits): at least 12 characters
  with lower case, upper case, digits and special characters; or at least 14 characters of
  three of these kinds; or a passphrase of at least 7 words. At most 128 characters.
- A strength estimate (zxcvbn, with the user's own names as known words): at least 3 of 4.
- A list of common passwords and base words (app/security/data/common_passwords_fr.txt),
  compared letters only and without accents: « Bonjour2026! » is « bonjour ».
- Not the user's login, address or name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH, MAX_LENGTH = 12, 128
MIN_LENGTH_THREE_KINDS = 14
MIN_WORDS = 7
MIN_SCORE = 3  # zxcvbn: 0 (trivial) … 4 (very hard to guess)
_COMMON_FILE = Path(__file__).with_name("data") / "common_passwords_fr.txt"
_WORDS = re.compile(r"[^\W\d_]{2,}")


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isalpha() and c.isascii())


@cache
def common_words() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_letters(line) for line in lines if line and not line.startswith("#"))


def _kinds(password: str) -> int:
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def long_enough(password: str) -> bool:
    """The CNIL's length and character-kind rules (recommendation n°1)."""
    if len(password) >= MIN_LENGTH and _kinds(password) == 4:
        return True
    if len(password) >= MIN_LENGTH_THREE_KINDS and _kinds(password) >= 3:
        return True
    return len(_WORDS.findall(password)) >= MIN_WORDS


def _identity(user) -> list[str]:
    if user is None:
        return []
    parts = [user.username or "", (user.email or "").split("@")[0], user.first_name or "",
             user.last_name or ""]
    return [p.lower() for p in parts if len(p) >= 4]


def password_problems(password: str, confirm: str | None = None, user=None) -> list[str]:
    """French reasons a new password is refused (empty list: accepted)."""
    password = password or ""
    problems: list[str] = []
    if len(password) > MAX_LENGTH:
        return [_("Le mot de passe ne peut pas dépasser %(n)s caractères.", n=MAX_LENGTH)]
    if not long_enough(password):
        problems.append(_(
            "Le mot de passe doit contenir au moins %(n)s caractères avec des minuscules, des "
            "majuscules, des chiffres et des caractères spéciaux, ou au moins %(m)s caractères "
            "de trois de ces sortes, ou être une phrase d'au moins %(w)s mots.",
            n=MIN_LENGTH, m=MIN_LENGTH_THREE_KINDS, w=MIN_WORDS))
    identity = _identity(user)
    lowered = password.lower()
    if any(part in lowered for part in identity):
        problems.append(_("Le mot de passe ne doit pas contenir votre identifiant ou votre nom."))
    elif _letters(password) in common_words() or (
            password and zxcvbn(password[:100], user_inputs=identity)["score"] < MIN_SCORE):
        problems.append(_("Ce mot de passe est trop facile à deviner (mot courant, suite de "
                          "touches, date, répétition) : choisissez-en un autre."))
    if confirm is not None and confirm != password:
        problems.append(_("Les deux mots de passe saisis sont différents."))
    return problems


def fab_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: the same policy on FAB's own user form (an admin
    creating a login)."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    problems = password_problems(password or "")
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))
