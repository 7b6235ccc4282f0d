"""A FranceConnect-like OpenID Connect provider (FranceConnect v2 paths under /api/v2).

Implements what FranceConnect documents for a service provider: discovery, JWKS, authorize
(a page to pick a test identity, or cancel), token (client_secret_post, single-use codes),
userinfo as a signed JWT, session/end (id_token_hint, state, post_logout_redirect_uri) and
the OAuth error answers. `/_standin/sessions` lists the open provider sessions (tests).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, make_response, redirect, render_template, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from . import refuse_in_production
from .identities import FC_IDENTITIES

CODE_SECONDS = 60
TOKEN_SECONDS = 60
SESSION_COOKIE = "fc_standin_sid"
SCOPE_CLAIMS = {
    "given_name": ["given_name"], "family_name": ["family_name"], "birthdate": ["birthdate"],
    "gender": ["gender"], "birthplace": ["birthplace"], "birthcountry": ["birthcountry"],
    "email": ["email"], "preferred_username": ["preferred_username"],
    "profile": ["given_name", "family_name", "birthdate", "gender", "preferred_username"],
    "birth": ["birthplace", "birthcountry"],
}


@dataclass
class Client:
    secret: str
    redirect_uris: set[str] = field(default_factory=set)
    post_logout_redirect_uris: set[str] = field(default_factory=set)


@dataclass
class ProviderState:
    clients: dict[str, Client] = field(default_factory=dict)
    identities: dict[str, dict] = field(default_factory=lambda: dict(FC_IDENTITIES))
    interactions: dict[str, dict] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # sid -> identity key
    lock: threading.Lock = field(default_factory=threading.Lock)


def pairwise_sub(client_id: str, key: str) -> str:
    """FranceConnect gives each service provider its own `sub` for a person."""
    return hashlib.sha256(f"{client_id}:{key}".encode()).hexdigest() + "v1"


def create_provider_app(clients: dict[str, Client] | None = None) -> Flask:
    refuse_in_production()
    app = Flask(__name__, template_folder="../templates")
    app.config.update(SECRET_KEY=secrets.token_hex(16), SESSION_COOKIE_NAME="fc_standin")
    state = ProviderState(clients=dict(clients or {}))
    signing = {"key": _new_key(1)}
    app.extensions["fc_standin"] = state

    def issuer() -> str:
        return request.url_root.rstrip("/") + "/api/v2"

    def sign(claims: dict) -> str:
        key = signing["key"]
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def oauth_error(status: int, error: str, description: str):
        return make_response(jsonify(error=error, error_description=description), status)

    @app.get("/api/v2/.well-known/openid-configuration")
    def discovery():
        base = issuer()
        return jsonify(
            issuer=base, authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token", userinfo_endpoint=f"{base}/userinfo",
            end_session_endpoint=f"{base}/session/end", jwks_uri=f"{base}/jwks",
            response_types_supported=["code"], subject_types_supported=["public"],
            grant_types_supported=["authorization_code"],
            scopes_supported=["openid", *SCOPE_CLAIMS],
            claims_supported=sorted({c for cs in SCOPE_CLAIMS.values() for c in cs} | {"sub"}),
            acr_values_supported=["eidas1"],
            id_token_signing_alg_values_supported=["RS256"],
            userinfo_signing_alg_values_supported=["RS256"],
            token_endpoint_auth_methods_supported=["client_secret_post"],
        )

    @app.get("/api/v2/jwks")
    def jwks():
        return jsonify(keys=[signing["key"].as_dict(private=False)])

    @app.get("/api/v2/authorize")
    def authorize():
        args = request.args
        client = state.clients.get(args.get("client_id", ""))
        redirect_uri = args.get("redirect_uri", "")
        if client is None or redirect_uri not in client.redirect_uris:
            # Never redirect to an address the client did not register.
            return render_template("devservers/fc_error.html",
                                   message="client_id ou redirect_uri inconnu"), 400
        problem = _authorize_problem(args)
        if problem:
            return redirect(_with_query(redirect_uri, error="invalid_request",
                                        error_description=problem, state=args.get("state")))
        interaction = secrets.token_urlsafe(16)
        state.interactions[interaction] = dict(args.items())
        return render_template("devservers/fc_authorize.html", interaction=interaction,
                               identities=state.identities)

    @app.post("/api/v2/interaction/<interaction>")
    def interaction_done(interaction: str):
        params = state.interactions.pop(interaction, None)
        if params is None:
            abort(400)
        back = params["redirect_uri"]
        key_name = request.form.get("identity", "")
        if request.form.get("cancel") or key_name not in state.identities:
            return redirect(_with_query(back, error="access_denied",
                                        error_description="User auth aborted",
                                        state=params["state"]))
        sid = secrets.token_urlsafe(16)
        code = secrets.token_urlsafe(32)
        with state.lock:
            state.sessions[sid] = key_name
            state.codes[code] = {"params": params, "identity": key_name, "sid": sid,
                                 "expires": time.time() + CODE_SECONDS}
        response = redirect(_with_query(back, code=code, state=params["state"]))
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax")
        return response

    @app.post("/api/v2/token")
    def token():
        form = request.form
        client = state.clients.get(form.get("client_id", ""))
        if client is None or not secrets.compare_digest(client.secret,
                                                        form.get("client_secret", "")):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return oauth_error(400, "unsupported_grant_type", "grant_type not supported")
        with state.lock:
            grant = state.codes.pop(form.get("code", ""), None)  # a code is used once
        if (grant is None or grant["expires"] < time.time()
                or grant["params"]["client_id"] != form["client_id"]
                or grant["params"]["redirect_uri"] != form.get("redirect_uri")):
            return oauth_error(400, "invalid_grant", "grant request is invalid")
        client_id, now = form["client_id"], int(time.time())
        sub = pairwise_sub(client_id, grant["identity"])
        access_token = secrets.token_urlsafe(32)
        state.tokens[access_token] = {"grant": grant, "sub": sub,
                                      "expires": time.time() + TOKEN_SECONDS}
        id_token = sign({
            "iss": issuer(), "sub": sub, "aud": client_id, "exp": now + TOKEN_SECONDS,
            "iat": now, "auth_time": now, "nonce": grant["params"]["nonce"],
            "acr": "eidas1", "amr": ["pwd"], "sid": grant["sid"],
        })
        return jsonify(access_token=access_token, token_type="Bearer",
                       expires_in=TOKEN_SECONDS, id_token=id_token,
                       scope=grant["params"].get("scope", ""))

    @app.get("/api/v2/userinfo")
    def userinfo():
        header = request.headers.get("Authorization", "")
        grant = state.tokens.get(header.removeprefix("Bearer ").strip())
        if not header.startswith("Bearer ") or grant is None or grant["expires"] < time.time():
            response = oauth_error(401, "invalid_token", "access token is invalid")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        person = state.identities[grant["grant"]["identity"]]
        claims = {"sub": grant["sub"], "iss": issuer(),
                  "aud": grant["grant"]["params"]["client_id"]}
        for scope in grant["grant"]["params"].get("scope", "").split():
            for claim in SCOPE_CLAIMS.get(scope, []):
                claims[claim] = person.get(claim, "")
        response = make_response(sign(claims))
        response.headers["Content-Type"] = "application/jwt"
        return response

    @app.get("/api/v2/session/end")
    def end_session():
        args = request.args
        try:
            hint = jwt.decode(args.get("id_token_hint", ""), KeySet([signing["key"]])).claims
        except (JoseError, ValueError):
            return render_template("devservers/fc_error.html",
                                   message="id_token_hint invalide"), 400
        client = state.clients.get(hint.get("aud", ""))
        back = args.get("post_logout_redirect_uri", "")
        if client is None or back not in client.post_logout_redirect_uris:
            return render_template("devservers/fc_error.html",
                                   message="post_logout_redirect_uri inconnu"), 400
        with state.lock:
            state.sessions.pop(hint.get("sid", ""), None)
        response = redirect(_with_query(back, state=args.get("state")))
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/_standin/sessions")
    def sessions():
        return jsonify(active=sorted(state.sessions.values()))

    @app.post("/_standin/rotate-key")
    def rotate_key():
        signing["key"] = _new_key(int(signing["key"].kid.rsplit("-", 1)[1]) + 1)
        return jsonify(kid=signing["key"].kid)

    @app.post("/_standin/reset")
    def reset():
        with state.lock:
            state.sessions.clear()
            state.codes.clear()
        return jsonify(ok=True)

    return app


def _new_key(number: int) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": f"standin-{number}", "use": "sig",
                                                 "alg": "RS256"})


def _authorize_problem(args) -> str | None:
    if args.get("response_type") != "code":
        return "response_type must be code"
    if "openid" not in (args.get("scope") or "").split():
        return "scope must contain openid"
    if len(args.get("state") or "") < 32 or len(args.get("nonce") or "") < 32:
        return "state and nonce must be at least 32 characters long"
    return None


def _with_query(url: str, **params) -> str:
    kept = {k: v for k, v in params.items() if v is not None}
    return url + ("&" if "?" in url else "?") + urlencode(kept)
