"""FranceConnect's pages: start a login, a link (from Mon compte or an invitation), the
provider's return, and the return after FranceConnect's logout.

Public view (no permission, like the password pages): each route checks what it needs.
The state and nonce live in the signed session for one round trip; the state is compared
in constant time and used once; the id_token is kept in the session for end_session.
Off (404) unless FRANCECONNECT_ENABLED with a client id, secret and discovery URL.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..extensions import db
from ..models import FranceConnectLink, Guardian, QfFetchOutcome
from ..security.roles import is_parent
from ..services.errors import CommandError
from ..services.franceconnect import FranceConnectClient, Settings
from ..services.franceconnect.commands import (
    LinkFranceConnect,
    LinkFromInvitation,
    LoginWithFranceConnect,
)
from .formatters import enum_label

FLOW, ID_TOKEN, LOGOUT_STATE = "fc_flow", "fc_id_token", "fc_logout_state"


def settings() -> Settings:
    return Settings.from_config(current_app.config)


def enabled() -> bool:
    return settings().enabled


def _absolute(endpoint: str) -> str:
    """Registered with FranceConnect: from PORTAL_BASE_URL when set, never the Host header."""
    base = current_app.config.get("PORTAL_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint)
    return url_for(endpoint, _external=True)


def _client() -> FranceConnectClient:
    config = settings()
    if not config.enabled:
        abort(404)
    return FranceConnectClient(config)


class FranceConnectView(BaseView):
    route_base = "/franceconnect"
    default_view = "login"

    @expose("/connexion", methods=["POST"])
    def login(self):
        return self._start("login")

    @expose("/lier", methods=["POST"])
    def link(self):
        if not (current_user.is_authenticated and is_parent(current_user)):
            abort(403)
        return self._start("link", user_id=current_user.id)

    @expose("/invitation/<string:token>", methods=["POST"])
    def invitation(self, token: str):
        return self._start("invite", token=token[:100])

    def _start(self, purpose: str, **extra):
        client = _client()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        try:
            url = client.authorization_url(_absolute("FranceConnectView.callback"), state, nonce)
        except CommandError as exc:  # FranceConnectError
            flash(exc.message, "danger")
            return redirect(self._back(purpose, extra.get("token")))
        session[FLOW] = {"state": state, "nonce": nonce, "purpose": purpose, **extra}
        return redirect(url, 303)

    @expose("/retour")
    def callback(self):
        client = _client()
        flow = session.pop(FLOW, None) or {}
        purpose = flow.get("purpose", "login")
        back = self._back(purpose, flow.get("token"))
        if request.args.get("error"):
            flash(_("Connexion FranceConnect annulée ou refusée : rien n'a été modifié."),
                  "warning")
            return redirect(back)
        got = request.args.get("state") or ""
        if not flow or not secrets.compare_digest(got.encode(), flow["state"].encode()):
            flash(_("La réponse de FranceConnect ne correspond à aucune connexion en cours "
                    "(paramètre state) : recommencez."), "danger")
            return redirect(back)
        try:
            identity, id_token = client.identity(request.args.get("code") or "",
                                                 _absolute("FranceConnectView.callback"),
                                                 flow["nonce"])
            return self._finish(purpose, flow, identity, id_token)
        except CommandError as refused:  # FranceConnectError included
            db.session.rollback()
            flash(refused.message, "danger")
            return redirect(back)

    def _finish(self, purpose: str, flow: dict, identity, id_token: str):
        if purpose == "link":
            if not current_user.is_authenticated or current_user.id != flow.get("user_id"):
                raise CommandError(_("Reconnectez-vous avant de lier FranceConnect."))
            guardian = db.session.query(Guardian).filter_by(user_id=current_user.id).first()
            LinkFranceConnect(guardian.id if guardian else None, identity).run()
            session[ID_TOKEN] = id_token
            flash(_("Votre compte est lié à FranceConnect : vous pourrez désormais vous "
                    "connecter avec « S'identifier avec FranceConnect »."), "success")
            return redirect(url_for("ParentAccountView.index") + "#franceconnect")
        if purpose == "invite":
            user = LinkFromInvitation(flow.get("token") or "", identity).run()
        else:
            user = LoginWithFranceConnect(identity).run()
        login_user(user)
        session[ID_TOKEN] = id_token
        return redirect(url_for("HomeIndexView.index"))

    def _back(self, purpose: str, token: str | None) -> str:
        if purpose == "link":
            return url_for("ParentAccountView.index") + "#franceconnect"
        if purpose == "invite" and token:
            return url_for("PublicAccountView.choose_password", token=token)
        return self.appbuilder.get_url_for_login

    @expose("/deconnexion")
    def logged_out(self):
        """FranceConnect's post_logout_redirect_uri."""
        expected = session.pop(LOGOUT_STATE, None)
        got = request.args.get("state") or ""
        if expected and secrets.compare_digest(got.encode(), expected.encode()):
            flash(_("Vous êtes déconnecté du portail et de FranceConnect."), "success")
        else:
            flash(_("Vous êtes déconnecté du portail."), "info")
        return redirect(self.appbuilder.get_url_for_login)


def _logout_endpoint() -> str:
    return f"{type(current_app.appbuilder.sm.auth_view).__name__}.logout"


def _before_logout():
    """FAB's logout runs unchanged; its id_token is kept aside for end_session."""
    if request.endpoint == _logout_endpoint() and session.get(ID_TOKEN):
        g.fc_id_token = session.pop(ID_TOKEN)


def _after_logout(response):
    """After the portal's logout, end the FranceConnect session too."""
    id_token = g.pop("fc_id_token", None)
    if id_token is None or not enabled():
        return response
    state = secrets.token_urlsafe(32)
    try:
        url = _client().end_session_url(id_token, state,
                                        _absolute("FranceConnectView.logged_out"))
    except CommandError:  # FranceConnectError: FranceConnect unreachable, the portal is out
        return response
    session[LOGOUT_STATE] = state
    return redirect(url)


def link_of_current_user() -> FranceConnectLink | None:
    """For « Mon compte »: the logged-in guardian's FranceConnect link, if any."""
    if not current_user.is_authenticated:
        return None
    return (db.session.query(FranceConnectLink).join(Guardian)
            .filter(Guardian.user_id == current_user.id).first())


def _refuse_insecure(app) -> None:
    """Production talks to the real services over HTTPS only (never to a stand-in)."""
    if app.config.get("ENV_NAME") != "production":
        return
    fc = Settings.from_config(app.config)
    if fc.enabled and not fc.discovery_url.startswith("https://"):
        raise RuntimeError("FRANCECONNECT_DISCOVERY_URL doit être une adresse https:// en "
                           "production.")
    api = app.config.get("API_PARTICULIER_URL") or ""
    if app.config.get("API_PARTICULIER_TOKEN") and not api.startswith("https://"):
        raise RuntimeError("API_PARTICULIER_URL doit être une adresse https:// en production.")


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(FranceConnectView())
    app = current_app._get_current_object()  # called inside create_app's app context
    _refuse_insecure(app)
    app.jinja_env.globals["franceconnect_link_of_current_user"] = link_of_current_user
    app.jinja_env.filters["qf_outcome"] = enum_label(QfFetchOutcome)
    app.before_request(_before_logout)
    app.after_request(_after_logout)
    app.jinja_env.globals["franceconnect_enabled"] = enabled
