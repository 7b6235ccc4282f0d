"""« Mon compte »: the family's and children's data on one page.

Contact details change at once; the quotient familial (with its CAF attestation), a child's
health and diet and the authorised persons are requests to staff (old → new), shown here
while they wait. Also the password (with the current one) and which alerts come by mail.

Every form acts on the parent's family only (`family_id()`, ids checked by the services).
Each POST route refuses a form without its fields: nothing changes by accident.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AuthorizedPerson,
    Child,
    Diet,
    Family,
    Guardian,
    QuotientFamilial,
    Request,
    RequestKind,
    RequestState,
)
from ...security import sessions
from ...security.scope import children_of
from ...services.account_changes import new_child
from ...services.account_changes.contact import (
    FamilyContact,
    GuardianContact,
    SetMailPreferences,
    UpdateFamilyContact,
    UpdateGuardianContact,
)
from ...services.account_changes.queries import describe_change
from ...services.account_changes.requests import (
    Health,
    Person,
    RequestHealthChange,
    RequestPersonAdd,
    RequestPersonRemove,
    RequestQuotientChange,
)
from ...services.accounts import MIN_LENGTH
from ...services.alerts import MAIL_KINDS
from ...services.errors import CommandError
from ...services.login_commands import change_password
from ...services.money import quotient_on
from ..public.links import email_confirm_url
from .planning_grid import family_id, portal_now

FAMILY_CONTACT = ("address", "postal_code", "city", "phone", "email")
GUARDIAN_CONTACT = ("phone_mobile", "phone_work", "email")
SENT = _l("Votre demande est envoyée au service, qui la vérifiera.")


def _children(family: int) -> list[Child]:
    return children_of(family_ids=[family], options=(
        selectinload(Child.school), selectinload(Child.authorized_persons)))


def _ticked(form, name: str) -> bool:
    return (form.get(name) or "") in ("1", "on", "true", "oui")


def _day(text: str | None) -> dt.date | None:
    """A date typed as AAAA-MM-JJ (the date input's value); None when empty."""
    if not (text or "").strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        message = _("La date de début de validité n'est pas valide.")
        raise CommandError(message, {"valid_from": message}) from None


def _pending(family: int) -> list[Request]:
    return (
        db.session.query(Request)
        .filter(Request.family_id == family, Request.kind == RequestKind.data_change,
                Request.state == RequestState.pending)
        .order_by(Request.created_at.desc(), Request.id.desc())
        .all()
    )


class ParentAccountView(BaseView):
    route_base = "/famille/compte"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/coordonnees", methods=["POST"])
    @has_access
    def contact(self):
        form = self._form("address", "email")
        contact = FamilyContact(**{name: form.get(name) for name in FAMILY_CONTACT})
        return self._run(lambda family: self._changed(
            UpdateFamilyContact(family, contact).run()), "foyer")

    @expose("/responsable", methods=["POST"])
    @has_access
    def guardian(self):
        form = self._form("guardian", "phone_mobile", "email")
        contact = GuardianContact(**{name: form.get(name) for name in GUARDIAN_CONTACT})
        return self._run(lambda family: self._changed(UpdateGuardianContact(
            family, form.get("guardian", type=int), contact, acting_user_id=current_user.id,
            link_for=email_confirm_url).run()), "responsables")

    @expose("/sante", methods=["POST"])
    @has_access
    def health(self):
        form = self._form("child", "diet")
        health = Health(allergies=form.get("allergies"), has_pai=_ticked(form, "has_pai"),
                        pai_details=form.get("pai_details"), diet=form.get("diet"),
                        medical_notes=form.get("medical_notes"))
        return self._run(lambda family: RequestHealthChange(
            family, form.get("child", type=int), health, current_user.id).run(), "enfants",
            SENT)

    @expose("/personne", methods=["POST"])
    @has_access
    def person(self):
        form = request.form
        if form.get("remove"):
            def action(family):
                RequestPersonRemove(family, form.get("remove", type=int), current_user.id).run()
        else:
            form = self._form("child", "full_name", "phone")
            person = Person(full_name=form.get("full_name"),
                            relationship_label=form.get("relationship_label"),
                            phone=form.get("phone"), can_pick_up=_ticked(form, "can_pick_up"),
                            emergency_contact=_ticked(form, "emergency_contact"))

            def action(family):
                RequestPersonAdd(family, form.get("child", type=int), person,
                                 current_user.id).run()
        return self._run(action, "enfants", SENT)

    @expose("/enfant", methods=["POST"])
    @has_access
    def declare_child(self):
        """A child not on the account yet: a request to staff (new_child.DeclareChild)."""
        form = self._form("first_name", "last_name", "birth_date", "school_id")
        return self._run(lambda family: new_child.DeclareChild(
            family, current_user.id, form.get("first_name"), form.get("last_name"),
            form.get("birth_date"), form.get("school_id"), form.get("class_name", "")).run(),
            "declarer-enfant", SENT)

    @expose("/quotient", methods=["POST"])
    @has_access
    def quotient(self):
        form = self._form("value")

        def action(family):
            return RequestQuotientChange(
                family, form.get("value", type=int), _day(form.get("valid_from")),
                request.files.get("attestation"), current_user.id, portal_now().date()).run()

        return self._run(action, "quotient", _(
            "Votre attestation est envoyée au service, qui mettra à jour votre quotient "
            "familial après vérification."))

    @expose("/courriels", methods=["POST"])
    @has_access
    def mail_preferences(self):
        form = self._form("preferences")
        return self._run(lambda family: SetMailPreferences(
            family, form.getlist("kinds"), list(MAIL_KINDS)).run(), "courriels",
            _("Vos préférences sont enregistrées."))

    @expose("/mot-de-passe", methods=["POST"])
    @has_access
    def password(self):
        form = self._form("current", "password", "confirm")

        def action(family):
            version = change_password(g.user, form.get("current"), form.get("password"),
                                      form.get("confirm"))
            sessions.start(g.user, version)  # the other sessions end, this one goes on

        return self._run(action, "mot-de-passe",
                         _("Votre mot de passe est modifié. Vos autres sessions sont fermées."))

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _form(*required: str):
        """The posted form; a form without one of its fields (not even empty) is refused."""
        if any(name not in request.form for name in required):
            abort(400)
        return request.form

    @staticmethod
    def _changed(fields: list[str]) -> str:
        if "email_pending" in fields:
            return _("Un lien de confirmation est envoyé à la nouvelle adresse : elle "
                     "deviendra celle de votre compte quand vous l'aurez ouvert. Votre "
                     "adresse actuelle est prévenue.")
        return _("Vos coordonnées sont enregistrées.") if fields else _("Aucune modification.")

    def _run(self, action, anchor: str, done: str | None = None):
        """Run `action(family)`; flash `done` (or what the action returned) and go back to
        the section, or show the page again with the reasons of a refusal."""
        family = family_id()
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            result = action(family)
        except CommandError as refused:
            db.session.rollback()
            return self._page(refused.messages, anchor)
        flash(str(done or result), "success")
        return redirect(url_for(f"{type(self).__name__}.index") + f"#{anchor}", 303)

    def _page(self, errors: list[str] | None = None, anchor: str | None = None):
        family_row = None
        family = family_id()
        children, guardians, quotients, pending = [], [], [], []
        if family is not None:
            family_row = db.session.get(Family, family)
            children = _children(family)
            guardians = (db.session.query(Guardian).options(selectinload(Guardian.user))
                         .filter(Guardian.family_id == family)
                         .order_by(Guardian.last_name, Guardian.first_name).all())
            quotients = (db.session.query(QuotientFamilial)
                         .filter(QuotientFamilial.family_id == family)
                         .order_by(QuotientFamilial.valid_from.desc()).limit(5).all())
            pending = _pending(family)
        today = portal_now().date()
        off = set(((family_row.mail_alerts_off if family_row else None) or "").split(","))
        html = self.render_template(
            "parent/account.html",
            family=family_row, children=children, guardians=guardians, quotients=quotients,
            current_qf=quotient_on(quotients, today),
            pending=[(r, describe_change(r)) for r in pending],
            mail_kinds=[(kind, label, kind not in off) for kind, label in MAIL_KINDS.items()],
            diets=Diet.choices(), errors=errors or [], anchor=anchor, form=request.form,
            today=today, min_length=MIN_LENGTH, persons_model=AuthorizedPerson,
            date=dt.date, schools=new_child.schools(),
        )
        return html, 400 if errors else 200
