"""French phone numbers and postcodes: what a parent types → validated, stored and shown
the French way (`02 99 00 11 22`, `35000`).

One module for « Mon compte », the account-change commands and the staff forms: a number
is accepted with spaces, dots, dashes or the +33 / 0033 prefix, stored as ten digits and
shown in pairs. Validators return a French message (or None) so a command's `validate()`
gathers it with the others.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")
_POSTCODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")


def phone_digits(text: str | None) -> str | None:
    """The ten digits of a French number (`0299001122`), or None when it is not one."""
    if not text:
        return None
    raw = _SEPARATORS.sub("", text.strip().replace("(0)", ""))
    if raw.startswith("+33"):
        raw = "0" + raw[3:]
    elif raw.startswith("0033"):
        raw = "0" + raw[4:]
    if len(raw) == 10 and raw.isdigit() and raw[0] == "0" and raw[1] != "0":
        return raw
    return None


def format_phone(text: str | None) -> str:
    """`02 99 00 11 22`; a number that is not French is shown as it was typed."""
    digits = phone_digits(text)
    if digits is None:
        return (text or "").strip()
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def phone_problem(text: str | None) -> str | None:
    """None when empty or a valid French number, else the French message."""
    if not (text or "").strip() or phone_digits(text):
        return None
    return _("Le numéro de téléphone doit comporter 10 chiffres et commencer par 0 "
             "(par exemple 02 99 00 11 22).")


def normalise_postcode(text: str | None) -> str:
    return _SEPARATORS.sub("", (text or "").strip())


def postcode_problem(text: str | None) -> str | None:
    """None when empty or a French postcode (5 digits, a real département), else why."""
    code = normalise_postcode(text)
    if not code or _POSTCODE.match(code):
        return None
    return _("Le code postal doit comporter 5 chiffres (par exemple 35000).")
