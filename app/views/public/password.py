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

from ...services.accounts import MIN_LENGTH, open_token, request_reset, set_password
from ...services.reservations.errors import CommandError


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
            request_reset(request.form.get("email"))
            # The same answer for a known and an unknown address.
            return redirect(url_for(".forgot_sent"), 303)
        return self.render_template("account/forgot.html")

    @expose("/mot-de-passe-oublie/envoye")
    def forgot_sent(self):
        return self.render_template("account/forgot_sent.html")

    @expose("/mot-de-passe/<string:token>", methods=["GET", "POST"])
    def choose_password(self, token: str):
        row = open_token(token)
        if row is None:
            return _private(self._page("account/link_invalid.html", 410))
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
        page = self._page("account/choose_password.html", 400 if errors else 200,
                          username=row.user.username, purpose=row.purpose, errors=errors,
                          min_length=MIN_LENGTH)
        return _private(page)

    def _page(self, template: str, status: int, **context):
        response = current_app.make_response(self.render_template(template, **context))
        response.status_code = status
        return response


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(PublicAccountView())
