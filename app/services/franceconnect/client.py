"""The OpenID Connect exchanges with FranceConnect (or its local stand-in: only the
discovery URL differs).

authorize URL (state, nonce, acr_values=eidas1) → the code comes back → token endpoint
(client_secret_post, Authlib) → the id_token is verified (signature against the JWKS,
issuer, audience, expiry, nonce) → userinfo, a JWT signed by FranceConnect, verified the
same way and for the same `sub` → end_session with the id_token at logout.

Nothing here logs a token, a code or a claim.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from ..errors import CommandError
from .identity import Identity

log = logging.getLogger(__name__)

DEFAULT_SCOPES = "openid given_name family_name birthdate gender birthplace birthcountry"
ALGORITHMS = ["RS256", "ES256"]
_METADATA_SECONDS = 3600
_cache: dict[str, tuple[float, dict, KeySet]] = {}
_cache_lock = threading.Lock()


class FranceConnectError(CommandError):
    """The login cannot go on; `message` is French and safe to show."""


@dataclass(frozen=True)
class Settings:
    enabled: bool
    client_id: str
    client_secret: str
    discovery_url: str
    scopes: str = DEFAULT_SCOPES
    acr_values: str = "eidas1"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Settings:
        enabled = bool(config.get("FRANCECONNECT_ENABLED"))
        settings = cls(
            enabled=enabled,
            client_id=config.get("FRANCECONNECT_CLIENT_ID") or "",
            client_secret=config.get("FRANCECONNECT_CLIENT_SECRET") or "",
            discovery_url=config.get("FRANCECONNECT_DISCOVERY_URL") or "",
            scopes=config.get("FRANCECONNECT_SCOPES") or DEFAULT_SCOPES,
            acr_values=config.get("FRANCECONNECT_ACR_VALUES") or "eidas1",
            timeout=float(config.get("FRANCECONNECT_TIMEOUT") or 10),
        )
        complete = settings.client_id and settings.client_secret and settings.discovery_url
        return settings if complete or not enabled else cls(False, "", "", "")


def _unavailable() -> FranceConnectError:
    return FranceConnectError(_("FranceConnect ne répond pas pour le moment. Réessayez dans "
                                "quelques minutes ou connectez-vous avec votre identifiant."))


class FranceConnectClient:
    def __init__(self, settings: Settings):
        self.settings = settings

    # -- provider metadata ------------------------------------------------------------
    def _metadata(self) -> tuple[dict, KeySet]:
        url = self.settings.discovery_url
        with _cache_lock:
            cached = _cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1], cached[2]
        try:
            metadata = requests.get(url, timeout=self.settings.timeout).json()
            keys = requests.get(metadata["jwks_uri"], timeout=self.settings.timeout).json()
            key_set = KeySet.import_key_set(keys)
        except (requests.RequestException, ValueError, KeyError) as exc:
            log.warning("FranceConnect discovery failed: %s", type(exc).__name__)
            raise _unavailable() from exc
        with _cache_lock:
            _cache[url] = (time.monotonic() + _METADATA_SECONDS, metadata, key_set)
        return metadata, key_set

    def _oauth(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.settings.client_id, self.settings.client_secret, scope=self.settings.scopes,
            redirect_uri=redirect_uri, token_endpoint_auth_method="client_secret_post",
        )

    # -- the three steps ----------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        metadata, _keys = self._metadata()
        url, _state = self._oauth(redirect_uri).create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce,
            acr_values=self.settings.acr_values, prompt="login consent",
        )
        return url

    def identity(self, code: str, redirect_uri: str, nonce: str) -> tuple[Identity, str]:
        """Exchange the code; return the verified identity and the id_token (for logout)."""
        metadata, keys = self._metadata()
        try:
            token = self._oauth(redirect_uri).fetch_token(
                metadata["token_endpoint"], code=code, grant_type="authorization_code",
                timeout=self.settings.timeout,
            )
        except OAuthError as exc:
            log.info("FranceConnect token refused: %s", exc.error)
            raise FranceConnectError(_("FranceConnect a refusé cette connexion (lien déjà "
                                       "utilisé ou expiré). Recommencez.")) from exc
        except (requests.RequestException, ValueError) as exc:
            raise _unavailable() from exc
        id_claims = self._verify(token.get("id_token", ""), keys, metadata, nonce=nonce)
        info = self._userinfo(metadata, keys, token.get("access_token", ""))
        if info.get("sub") != id_claims.get("sub"):
            raise FranceConnectError(_("La réponse de FranceConnect est incohérente : "
                                       "connexion refusée."))
        return Identity.from_claims(info), token["id_token"]

    def _userinfo(self, metadata: dict, keys: KeySet, access_token: str) -> dict:
        try:
            response = requests.get(
                metadata["userinfo_endpoint"], timeout=self.settings.timeout,
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except requests.RequestException as exc:
            raise _unavailable() from exc
        if response.status_code != 200:
            log.info("FranceConnect userinfo refused: HTTP %s", response.status_code)
            raise _unavailable()
        return self._verify(response.text, keys, metadata)

    def _verify(self, token: str, keys: KeySet, metadata: dict, nonce: str | None = None):
        """Signature, issuer, audience, expiry (and nonce for the id_token)."""
        expected = {"iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": self.settings.client_id},
                    "sub": {"essential": True}}
        if nonce is not None:
            expected["exp"] = {"essential": True}
            expected["nonce"] = {"essential": True, "value": nonce}
        try:
            claims = jwt.decode(token, self._keys_for(token, keys), algorithms=ALGORITHMS).claims
            jwt.JWTClaimsRegistry(leeway=30, **expected).validate(claims)
        except (JoseError, ValueError) as exc:
            log.warning("FranceConnect token rejected: %s", type(exc).__name__)
            raise FranceConnectError(_("La réponse de FranceConnect n'a pas pu être vérifiée "
                                       "(jeton invalide) : connexion refusée.")) from exc
        return claims

    def _keys_for(self, token: str, keys: KeySet) -> KeySet:
        """The provider's keys; fetched again once when the token names a key we do not
        have (FranceConnect rotated its keys)."""
        try:
            kid = extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError):
            return keys
        if kid and all(key.kid != kid for key in keys.keys):
            with _cache_lock:
                _cache.pop(self.settings.discovery_url, None)
            return self._metadata()[1]
        return keys

    def end_session_url(self, id_token: str, state: str, post_logout_redirect_uri: str) -> str:
        metadata, _keys = self._metadata()
        query = urlencode({"id_token_hint": id_token, "state": state,
                           "post_logout_redirect_uri": post_logout_redirect_uri})
        return f"{metadata['end_session_endpoint']}?{query}"
