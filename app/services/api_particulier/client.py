"""API Particulier « Quotient familial CAF & MSA » (v3, call by identity).

GET {base}/v3/dss/quotient_familial/identite with `Authorization: Bearer <token>` and
`recipient=<the town's SIRET>`, plus the allocataire's identity. The token never appears in
a log. Errors are French (`ApiParticulierError.message`); a rate limit (429, honouring
Retry-After), a provider error (502/503/504) or a network failure is retried with a
growing delay; not found (404), a refused parameter (400/422) or a refused token (401/403)
is not.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from flask_babel import gettext as _

log = logging.getLogger(__name__)

PATH = "/v3/dss/quotient_familial/identite"
PROVIDERS = {"CNAF": "CAF", "CAF": "CAF", "MSA": "MSA"}
RETRYABLE = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class ApiSettings:
    base_url: str
    token: str
    recipient: str
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.token and self.recipient)

    @classmethod
    def from_config(cls, config) -> ApiSettings:
        return cls(
            base_url=(config.get("API_PARTICULIER_URL") or "").rstrip("/"),
            token=config.get("API_PARTICULIER_TOKEN") or "",
            recipient=(config.get("API_PARTICULIER_RECIPIENT")
                       or config.get("PORTAL_TOWN_SIRET") or "").replace(" ", ""),
            timeout=float(config.get("API_PARTICULIER_TIMEOUT") or 10),
            retries=int(config.get("API_PARTICULIER_RETRIES") or 0),
            backoff=float(config.get("API_PARTICULIER_BACKOFF") or 0),
        )


@dataclass(frozen=True)
class Allocataire:
    birth_name: str
    first_names: str
    birth_date: dt.date
    sex: str
    birth_place_cog: str | None
    birth_country_cog: str = "99100"

    def params(self) -> dict:
        params = {
            "nomNaissance": self.birth_name,
            "prenoms[]": self.first_names.split(),
            "anneeDateNaissance": self.birth_date.year,
            "moisDateNaissance": self.birth_date.month,
            "jourDateNaissance": self.birth_date.day,
            "sexeEtatCivil": self.sex,
            "codeCogInseePaysNaissance": self.birth_country_cog,
        }
        if self.birth_place_cog:
            params["codeCogInseeCommuneNaissance"] = self.birth_place_cog
        return params


@dataclass(frozen=True)
class QfResult:
    value: int
    provider: str  # CAF or MSA
    month: dt.date  # first day of the month the QF is for


class ApiParticulierError(Exception):
    """`kind`: not_found, bad_request, unauthorized, rate_limited, unavailable, invalid."""

    def __init__(self, kind: str, message: str, status: int | None = None):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status

    @property
    def retryable(self) -> bool:
        return self.kind in ("rate_limited", "unavailable")


def error_for(status: int | None) -> ApiParticulierError:
    if status == 404:
        return ApiParticulierError("not_found", _(
            "Aucun dossier CAF ou MSA ne correspond à cette identité (nom de naissance, "
            "prénoms, date et lieu de naissance) : vérifiez-la ou transmettez votre "
            "attestation."), status)
    if status in (400, 422):
        return ApiParticulierError("bad_request", _(
            "L'API Particulier a refusé la demande : une information d'identité n'est pas "
            "valide."), status)
    if status in (401, 403):
        return ApiParticulierError("unauthorized", _(
            "La commune n'est pas autorisée à consulter l'API Particulier (jeton ou "
            "habilitation) : prévenez l'administrateur du portail."), status)
    if status == 429:
        return ApiParticulierError("rate_limited", _(
            "L'API Particulier reçoit trop de demandes : réessayez dans quelques minutes."),
            status)
    return ApiParticulierError("unavailable", _(
        "Le service de la CAF et de la MSA ne répond pas pour le moment : réessayez plus "
        "tard."), status)


class ApiParticulierClient:
    def __init__(self, settings: ApiSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep

    def quotient_familial(self, person: Allocataire) -> QfResult:
        settings = self.settings
        params = {"recipient": settings.recipient, **person.params()}
        for attempt in range(settings.retries + 1):
            retry_after = None
            try:
                response = requests.get(
                    settings.base_url + PATH, params=params, timeout=settings.timeout,
                    headers={"Authorization": f"Bearer {settings.token}",
                             "Accept": "application/json"},
                )
            except requests.RequestException as exc:
                log.warning("API Particulier unreachable: %s", type(exc).__name__)
                error = error_for(None)
            else:
                if response.status_code == 200:
                    return _parse(response)
                error = error_for(response.status_code)
                retry_after = response.headers.get("Retry-After")
                log.info("API Particulier answered HTTP %s", response.status_code)
            if not error.retryable or attempt == settings.retries:
                raise error
            self.sleep(_delay(settings.backoff, attempt, retry_after))
        raise error_for(None)  # pragma: no cover (the loop always returns or raises)


def _delay(backoff: float, attempt: int, retry_after: str | None) -> float:
    delay = backoff * (2 ** attempt)
    if retry_after and retry_after.strip().isdigit():
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
    return delay


def _parse(response) -> QfResult:
    try:
        quotient = response.json()["data"]["quotient_familial"]
        value = int(quotient["valeur"])
        provider = PROVIDERS[str(quotient["fournisseur"]).upper()]
        month = dt.date(int(quotient["annee"]), int(quotient["mois"]), 1)
        if value < 0:
            raise ValueError(value)
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiParticulierError("invalid", _(
            "La réponse de l'API Particulier est incomplète : aucun quotient familial "
            "n'a été enregistré.")) from exc
    return QfResult(value=value, provider=provider, month=month)
