"""« Mot de passe oublié » and the page a mailed link opens to choose a password.

The forgotten-password form answers the same page whether the address is known or not. A
link is checked on display but used only when the form is posted (mail scanners that open
links use nothing). The token never leaves the page: no referrer, no cache.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.security.decorators import limit
from flask_babel import gettext as _
from flask_login import current_user

from ...background import run_later
from ...models import TokenPurpose
from ...security import sessions
from ...services.account_links import open_link
from ...services.accounts import MIN_LENGTH, open_token, set_password
from ...services.errors import CommandError
from ...services.links import provide
from ...services.login_commands import ConfirmLoginEmail, UnlockWithLink, change_password
from ...tasks import request_reset as reset_task


def _rate() -> str:
    return current_app.config.get("PORTAL_ACCOUNT_RATE_LIMIT") or "5 per minute; 30 per hour"


def _private(response):
    """The token is in the URL: never sent to another site, never kept in a cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


class PublicAccountView(BaseView):
    route_base = "/compte"
    default_view = "forgot"

    @expose("/mot-de-passe-oublie", methods=["GET", "POST"])
    @limit(_rate, methods=["POST"])
    def forgot(self):
        if request.method == "POST":
            # The same answer, after the same work, for a known and an unknown address: the
            # look-up and the mail happen after the answer (app.background).
            address = (request.form.get("email") or "")[:200]
            run_later(reset_task, address, base_url=current_app.config.get("PORTAL_BASE_URL")
                      or request.host_url)
            return redirect(url_for(".forgot_sent"), 303)
        return self.render_template("portal/password_forgot.html")

    @expose("/mot-de-passe-oublie/envoye")
    def forgot_sent(self):
        return self.render_template("portal/password_forgot_sent.html")

    @expose("/mot-de-passe/<string:token>", methods=["GET", "POST"])
    def choose_password(self, token: str):
        row = open_token(token)
        if row is None:
            return _private(self._page("portal/password_link_invalid.html", 410))
        errors: list[str] = []
        if request.method == "POST":
            try:
                set_password(token, request.form.get("password") or "",
                             request.form.get("confirm") or "")
            except CommandError as refused:
                errors = refused.messages
            else:
                flash(_("Votre mot de passe est enregistré : vous pouvez vous connecter."),
                      "success")
                return redirect(self.appbuilder.get_url_for_login, 303)
        page = self._page("portal/password_choose.html", 400 if errors else 200,
                          username=row.user.username, purpose=row.purpose, errors=errors,
                          min_length=MIN_LENGTH)
        return _private(page)

    @expose("/deblocage/<string:token>", methods=["GET", "POST"])
    def unlock(self, token: str):
        """The lock mail's link: one button ends the lock."""
        return self._link_page(
            token, TokenPurpose.unlock, UnlockWithLink,
            title=_("Débloquer mon accès"),
            text=_("Votre accès a été bloqué après plusieurs essais de connexion "
                   "infructueux. Si c'était vous, débloquez-le maintenant ; sinon, "
                   "choisissez ensuite un nouveau mot de passe."),
            button=_("Débloquer mon accès"),
            done=_("Votre accès est débloqué : vous pouvez vous connecter."))

    @expose("/adresse/<string:token>", methods=["GET", "POST"])
    def confirm_email(self, token: str):
        """The link sent to a new login address: one button makes it the login's."""
        return self._link_page(
            token, TokenPurpose.email, ConfirmLoginEmail,
            title=_("Confirmer ma nouvelle adresse"),
            text=_("Confirmez que cette adresse devient celle de votre accès au portail "
                   "famille : les liens pour choisir un mot de passe y seront envoyés."),
            button=_("Confirmer cette adresse"),
            done=_("Votre nouvelle adresse est enregistrée."))

    def _link_page(self, token: str, purpose: str, command, title, text, button, done):
        if open_link(token, purpose) is None:
            return _private(self._page("portal/password_link_invalid.html", 410))
        errors: list[str] = []
        if request.method == "POST":
            try:
                command(token).run()
            except CommandError as refused:
                errors = refused.messages
            else:
                flash(done, "success")
                return redirect(self.appbuilder.get_url_for_login, 303)
        return _private(self._page("portal/password_confirm_link.html", 400 if errors else 200,
                                   title=title, text=text, button=button, errors=errors))

    def _page(self, template: str, status: int, **context):
        response = current_app.make_response(self.render_template(template, **context))
        response.status_code = status
        return response


def _password_page(token: str, _external: bool) -> str:
    return url_for("PublicAccountView.choose_password", token=token, _external=_external)


class PasswordChangeView(BaseView):
    """The one password form, for every logged-in user (staff here; parents also on « Mon
    compte », with the same form and command). Not a permission: any login has it."""

    route_base = "/compte/mon-mot-de-passe"
    default_view = "change"

    @expose("/", methods=["GET", "POST"])
    def change(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login_with(request.path))
        errors: list[str] = []
        if request.method == "POST":
            try:
                version = change_password(current_user, request.form.get("current"),
                                          request.form.get("password"),
                                          request.form.get("confirm"))
            except CommandError as refused:
                errors = refused.messages
            else:
                sessions.start(current_user, version)  # other sessions end, this one goes on
                flash(_("Votre mot de passe est modifié. Vos autres sessions sont fermées."),
                      "success")
                return redirect(self.appbuilder.get_url_for_index, 303)
        page = self.render_template("portal/password_change.html", errors=errors,
                                    min_length=MIN_LENGTH)
        return _private(current_app.make_response((page, 400 if errors else 200)))


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(PublicAccountView())
    provide("choose_password", _password_page)  # the link of invitation and reset mails
    appbuilder.add_view_no_menu(PasswordChangeView())
