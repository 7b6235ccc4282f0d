"""« Mon compte » › Quotient familial CAF / MSA: the family's consent (given, withdrawn) and
the reading of its QF through API Particulier, for the parent's own family only."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import FranceConnectLink, Guardian, QfFetch, QuotientFamilial
from ...services.api_particulier import ApiSettings
from ...services.api_particulier.commands import (
    FetchQuotient,
    RecordQfConsent,
    WithdrawQfConsent,
    active_consent,
    consent_purpose,
)
from ...services.errors import CommandError
from ..formatters import french_date
from .planning_grid import family_id

FORM_FIELDS = ("birth_name", "first_names", "birth_date", "sex", "birth_place_cog",
               "birth_country_cog")


def _prefill(family: int) -> dict:
    """The allocataire's identity as the portal knows it: FranceConnect's when linked."""
    guardian = db.session.scalars(select(Guardian).where(
        Guardian.family_id == family, Guardian.user_id == current_user.id)).first()
    if guardian is None:
        return {}
    link = db.session.scalars(select(FranceConnectLink).where(
        FranceConnectLink.guardian_id == guardian.id)).first()
    birth = link.birthdate if link else guardian.birth_date
    return {
        "birth_name": link.family_name if link else guardian.last_name.upper(),
        "first_names": link.given_name if link else guardian.first_name,
        "birth_date": french_date(birth) if birth else "",
        "sex": {"female": "F", "male": "M"}.get(link.gender, "") if link else "",
        "birth_place_cog": (link.birthplace or "") if link else "",
        "birth_country_cog": (link.birthcountry or "99100") if link else "99100",
    }


class ParentQuotientCafView(BaseView):
    route_base = "/famille/compte/quotient-caf"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/accord", methods=["POST"])
    @has_access
    def consent(self):
        form = self._form("accept", *FORM_FIELDS)
        return self._run(lambda family: RecordQfConsent(family, current_user.id, form).run(),
                         _("Votre accord est enregistré. Vous pouvez maintenant consulter "
                           "votre quotient familial."))

    @expose("/retrait", methods=["POST"])
    @has_access
    def withdraw(self):
        self._form("withdraw")
        return self._run(lambda family: WithdrawQfConsent(family, current_user.id).run(),
                         _("Votre accord est retiré : la commune ne consultera plus votre "
                           "quotient familial."))

    @expose("/consulter", methods=["POST"])
    @has_access
    def fetch(self):
        self._form("fetch")

        def action(family):
            quotient = FetchQuotient(family, current_user.id, "parent").run()
            return _("Quotient familial %(value)s (%(provider)s) enregistré : il s'applique à "
                     "partir de la facture de %(month)s.", value=quotient.value,
                     provider=quotient.provider, month=f"{quotient.valid_from:%m/%Y}")
        return self._run(action, None)

    @staticmethod
    def _form(*required: str):
        if any(name not in request.form for name in required):
            abort(400)
        return request.form

    def _run(self, action, done: str | None):
        family = family_id()
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            result = action(family)
        except CommandError as refused:
            db.session.rollback()
            return self._page(refused.messages, refused.fields)
        flash(done or result, "success")
        return redirect(url_for(".index"), 303)

    def _page(self, errors: list[str] | None = None, fields: dict | None = None):
        family = family_id()
        consent = active_consent(family) if family else None
        quotients, fetches = [], []
        if family is not None:
            quotients = db.session.scalars(
                select(QuotientFamilial).where(QuotientFamilial.family_id == family)
                .order_by(QuotientFamilial.valid_from.desc(), QuotientFamilial.id.desc())
                .limit(5)).all()
            fetches = db.session.scalars(
                select(QfFetch).where(QfFetch.family_id == family)
                .order_by(QfFetch.id.desc()).limit(5)).all()
        values = dict(request.form) if errors else (_prefill(family) if family else {})
        html = self.render_template(
            "parent/quotient_caf.html", family=family, consent=consent, quotients=quotients,
            fetches=fetches, purpose=consent_purpose(), values=values, errors=errors or [],
            fields=fields or {}, french_date=french_date,
            configured=ApiSettings.from_config(current_app.config).enabled,
        )
        return html, 400 if errors else 200


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(ParentQuotientCafView())
