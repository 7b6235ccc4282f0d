"""Mon dossier annuel: the campaign for next school year, what is missing in one list, the
family's data to re-certify (contacts, children's health, authorised persons) with one
button per section, and links to send the documents and accept the consents."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Child, Diet, DossierSection, Family, Guardian, family_child
from ...services.accounts import paris_time
from ...services.calendar import local_today
from ...services.dossier import CertifySection, family_status, open_campaigns
from ...services.errors import CommandError
from .planning_grid import family_id


class ParentDossierView(BaseView):
    route_base = "/famille/dossier"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/certifier", methods=["POST"])
    @has_access
    def certify(self):
        family = family_id()
        try:
            if family is None:
                raise CommandError(_("Aucune famille n'est liée à votre compte."))
            row = CertifySection(current_user.id, current_user.username, family,
                                 request.form.get("campaign"), request.form.get("section"),
                                 local_today()).run()
        except CommandError as refused:
            return self._page(refused.messages)
        flash(_("« %(section)s » : informations certifiées.",
                section=DossierSection(row.section).label), "success")
        return redirect(url_for(".index") + f"#rubrique-{row.section}", 303)

    def _page(self, errors: list[str] | None = None):
        family_key = family_id()
        today = local_today()
        family = db.session.get(Family, family_key) if family_key else None
        statuses = [family_status(c, family_key, today) for c in open_campaigns(today)] \
            if family else []
        html = self.render_template(
            "parent/dossier.html", family=family, statuses=statuses,
            guardians=_guardians(family_key) if family else [],
            children=_children(family_key) if family else [],
            sections=DossierSection, diets=Diet, when=paris_time, errors=errors or [],
        )
        return html, 400 if errors else 200


def _guardians(family: int) -> list[Guardian]:
    return db.session.query(Guardian).filter_by(family_id=family).order_by(Guardian.id).all()


def _children(family: int) -> list[Child]:
    return (
        db.session.query(Child)
        .options(selectinload(Child.authorized_persons))
        .join(family_child, family_child.c.child_id == Child.id)
        .filter(family_child.c.family_id == family)
        .order_by(Child.first_name, Child.id)
        .all()
    )


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentDossierView, "ParentDossier", label=_l("Mon dossier annuel"),
                        icon="fa-folder")
