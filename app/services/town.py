"""The town and its service des affaires scolaires as every page, mail and document shows
them (settings PORTAL_TOWN_NAME, PORTAL_SERVICE_PHONE, PORTAL_SERVICE_EMAIL)."""

from __future__ import annotations

from flask import current_app

DEFAULT_PHONE = "02 99 58 81 17"
DEFAULT_EMAIL = "affaires.scolaires@ville-saint-pere.fr"


def phone_uri(phone: str) -> str:
    """'02 99 58 81 17' -> '+33299588117' (a French number as a tel: URI)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    if digits.startswith("0"):
        return "+33" + digits[1:]
    return digits


def service_contacts() -> dict:
    """The town and the service's contacts, as in the site's footer."""
    config = current_app.config
    phone = config.get("PORTAL_SERVICE_PHONE") or DEFAULT_PHONE
    return {
        "town": config.get("PORTAL_TOWN_NAME", ""),
        "phone": phone,
        "phone_uri": phone_uri(phone),
        "email": config.get("PORTAL_SERVICE_EMAIL") or DEFAULT_EMAIL,
    }
