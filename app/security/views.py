"""FAB's security views, as the portal needs them.

- The login page says why a login was refused when it is not a wrong password: the
  account is temporarily locked (an unlock link was mailed to its owner), or too many failed
  logins came from this connection. The session starts afresh at login (sessions.start).
- FAB's password forms (« Reset my password », an admin's « Reset password ») are closed:
  they skip the policy and the current password. Everybody changes their password on
  `PasswordChangeView` (app/views/public/password.py); an admin creating a login goes
  through the same policy (FAB_PASSWORD_COMPLEXITY_VALIDATOR).
- The users list (admins): no change of a login's address (it receives the password
  links: only its owner changes it, confirmed from the new address); « Débloquer » and
  « Déconnecter partout » on each login; deactivating a login ends its sessions
  (sessions.register).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView, ResetMyPasswordView, ResetPasswordView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user

#: Why the last login attempt of this request was refused (set by the security manager).
LOCKED, ADDRESS_BLOCKED = "locked", "address"


class PortalAuthDBView(AuthDBView):
    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(self.refusal_message(), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)  # sessions.start: a fresh session
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form,
                                    appbuilder=self.appbuilder)

    @staticmethod
    def refusal_message() -> str:
        reason = g.get("portal_login_refusal")
        if reason == LOCKED:
            return _("Ce compte est temporairement bloqué après plusieurs essais "
                     "infructueux. Un courriel avec un lien de déblocage a été envoyé à "
                     "l'adresse du compte ; sinon, réessayez plus tard ou contactez le "
                     "service des affaires scolaires.")
        if reason == ADDRESS_BLOCKED:
            return _("Trop d'essais de connexion infructueux depuis cette connexion "
                     "Internet : réessayez dans quelques minutes.")
        return _("Identifiant ou mot de passe incorrect. Veuillez réessayer.")


class ClosedResetMyPasswordView(ResetMyPasswordView):
    """No route: FAB's form accepted « a » without the current password."""

    include_route_methods: set[str] = set()


class ClosedResetPasswordView(ResetPasswordView):
    """No route: an admin never chooses another person's password."""

    include_route_methods: set[str] = set()


class UserDBModelView(FabUserDBModelView):
    """FAB's users list (same name: the roles' permissions stay), without address changes."""

    edit_columns = ["first_name", "last_name", "username", "active", "roles", "groups"]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        actions = {name: self.actions[name] for name in ("unlock", "revoke_sessions")
                   if name in self.actions}
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        widgets = self._get_show_widget(pk, item, actions=actions)
        self.update_redirect()
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    related_views=self._related_views)

    @action("resetmypassword", _l("Changer mon mot de passe"), "", "fa-lock", multiple=False)
    def resetmypassword(self, item):
        return redirect(url_for("PasswordChangeView.change"))

    def resetpasswords(self, item):  # FAB's action, without its decorator: no such action
        abort(404)

    @action("unlock", _l("Débloquer"), "", "fa-unlock", multiple=False)
    def unlock(self, item):
        from ..services.errors import CommandError
        from ..services.login_commands import UnlockLogin

        try:
            UnlockLogin(item.id, g.user.id).run()
        except CommandError as refused:
            flash(" ".join(refused.messages), "danger")
        else:
            flash(_("Le compte %(login)s est débloqué.", login=item.username), "success")
        return redirect(url_for(".show", pk=item.id), 303)

    @action("revoke_sessions", _l("Déconnecter partout"),
            _l("Fermer toutes les sessions ouvertes de ce compte ?"), "fa-sign-out",
            multiple=False)
    def revoke_sessions(self, item):
        from ..services.login_commands import RevokeSessions

        RevokeSessions(item.id, g.user.id).run()
        flash(_("Toutes les sessions de %(login)s sont fermées.", login=item.username),
              "success")
        return redirect(url_for(".show", pk=item.id), 303)
