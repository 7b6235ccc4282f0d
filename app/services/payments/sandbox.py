"""The local payment sandbox's side of the protocol: eopayment's dummy backend pointed at the
app's own /sandbox pages, with signed notifications.

eopayment's dummy backend trusts any answer carrying `signed`; a backend the portal relies on
must not. Here the sandbox (playing the bank) signs each notification with HMAC-SHA256 under
a key derived from SECRET_KEY, and `SandboxBackend.response()` reports `signed` only when that
signature checks: a forged notification is never `signed`.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlencode

from eopayment import CANCELLED, DENIED, URL
from eopayment import Payment as EoPayment
from eopayment.common import force_text
from eopayment.dummy import Payment as DummyBackend
from flask import current_app

SIGNATURE_FIELD = "sig"
#: The sandbox's answers (eopayment dummy: `ok` = paid; ours add refused and cancelled).
OUTCOMES = ("ok", "refused", "cancelled")


def sandbox_secret() -> bytes:
    explicit = current_app.config.get("PAYMENT_SANDBOX_SECRET")
    if explicit:
        return str(explicit).encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"portail-payment-sandbox", hashlib.sha256).digest()


def _canonical(fields: dict[str, str]) -> bytes:
    pairs = sorted((k, v) for k, v in fields.items() if k != SIGNATURE_FIELD)
    return urlencode(pairs).encode()


def sign(fields: dict[str, str], secret: bytes) -> str:
    return hmac.new(secret, _canonical(fields), hashlib.sha256).hexdigest()


def signed_notification(fields: dict[str, str], secret: bytes) -> dict[str, str]:
    """The notification the sandbox posts: the fields, `signed`, and their signature."""
    data = {**fields, "signed": "1"}
    data[SIGNATURE_FIELD] = sign(data, secret)
    return data


def _single_values(query_string: str) -> dict[str, str] | None:
    form = parse_qs(force_text(query_string), keep_blank_values=True)
    if any(len(values) != 1 for values in form.values()):
        return None  # a repeated field is not something the sandbox sends
    return {key: values[0] for key, values in form.items()}


class SandboxBackend(DummyBackend):
    """eopayment's dummy backend whose service URL is the app's sandbox and whose answers
    must carry the sandbox's signature."""

    description = {
        **DummyBackend.description,
        "parameters": [
            *DummyBackend.description["parameters"],
            {"name": "secret", "caption": "HMAC key of the sandbox's notifications"},
        ],
    }

    def request(self, amount, **kwargs):
        transaction_id, kind, url = super().request(amount, **kwargs)
        # The dummy module always points at Entr'ouvert's public service: point it at ours.
        query = url.split("?", 1)[1]
        return transaction_id, kind, f"{self.dummy_service_url}?{query}"

    def response(self, query_string, **kwargs):
        response = super().response(query_string, **kwargs)
        fields = _single_values(query_string)
        expected = sign(fields, self.secret) if fields is not None and self.secret else ""
        given = (fields or {}).get(SIGNATURE_FIELD, "")
        response.signed = bool(expected) and "signed" in fields and hmac.compare_digest(
            expected, given
        )
        if fields and "refused" in fields:
            response.result = DENIED
        elif fields and "cancelled" in fields:
            response.result = CANCELLED
        response.return_content = "OK" if response.signed else None
        return response


class SandboxPayment(EoPayment):
    """`eopayment.Payment` over the sandbox backend."""

    def __init__(self, options: dict, logger=None):
        self.kind = "dummy"
        self.backend = SandboxBackend(options, logger=logger)


__all__ = [
    "OUTCOMES",
    "SandboxBackend",
    "SandboxPayment",
    "URL",
    "sandbox_secret",
    "sign",
    "signed_notification",
]
