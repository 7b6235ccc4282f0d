"""The State's services in the back office:
- `StaffFranceConnectView`: the guardians linked to FranceConnect; unlink one (agents too);
- `StaffQuotientCafView`: the families who consented; read one family's QF now;
- `FinanceQfBatchView`: the yearly refresh of every consenting family (managers), with its
  progress and report.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    FranceConnectLink,
    Guardian,
    QfBatch,
    QfBatchState,
    QfConsent,
    QfFetch,
    QfFetchOutcome,
)
from ...services.api_particulier import ApiSettings
from ...services.api_particulier.batch import start_batch
from ...services.api_particulier.commands import FetchQuotient
from ...services.api_particulier.tasks import qf_batch
from ...services.errors import CommandError
from ...services.franceconnect.commands import UnlinkFranceConnect
from ..formatters import french_date
from .common import add_menu_view

SHOWN = 200


class StaffFranceConnectView(BaseView):
    route_base = "/gestion/franceconnect"
    default_view = "list"
    method_permission_name = {"list": "list", "unlink": "delete"}

    @expose("/")
    @has_access
    def list(self):
        links = db.session.scalars(
            select(FranceConnectLink)
            .options(selectinload(FranceConnectLink.guardian).selectinload(Guardian.family),
                     selectinload(FranceConnectLink.guardian).selectinload(Guardian.user))
            .order_by(FranceConnectLink.linked_at.desc()).limit(SHOWN)).all()
        return self.render_template("staff/franceconnect_links.html", links=links,
                                    title=_("Comptes liés à FranceConnect"))

    @expose("/<int:pk>/supprimer", methods=["POST"])
    @has_access
    def unlink(self, pk: int):
        try:
            name = UnlinkFranceConnect(pk).run()
        except CommandError as refused:
            abort(404, " ".join(refused.messages))
        flash(_("Le lien FranceConnect de %(name)s est supprimé : cette personne se connecte "
                "de nouveau avec son identifiant et son mot de passe.", name=name), "success")
        return redirect(url_for(".list"), 303)


class StaffQuotientCafView(BaseView):
    route_base = "/gestion/quotient-caf"
    default_view = "list"
    method_permission_name = {"list": "list", "fetch": "add"}

    @expose("/")
    @has_access
    def list(self):
        consents = db.session.scalars(
            select(QfConsent).where(QfConsent.withdrawn_at.is_(None))
            .options(selectinload(QfConsent.family), selectinload(QfConsent.guardian))
            .order_by(QfConsent.given_at.desc()).limit(SHOWN)).all()
        family_ids = [c.family_id for c in consents]
        last: dict[int, QfFetch] = {}
        if family_ids:
            for fetch in db.session.scalars(
                    select(QfFetch).where(QfFetch.family_id.in_(family_ids))
                    .options(selectinload(QfFetch.quotient)).order_by(QfFetch.id)):
                last[fetch.family_id] = fetch
        return self.render_template(
            "staff/quotient_caf.html", consents=consents, last=last, french_date=french_date,
            configured=ApiSettings.from_config(current_app.config).enabled,
            title=_("Quotient familial CAF / MSA (API Particulier)"))

    @expose("/<int:pk>/consulter", methods=["POST"])
    @has_access
    def fetch(self, pk: int):
        try:
            quotient = FetchQuotient(pk, current_user.id, "staff").run()
        except CommandError as refused:
            db.session.rollback()
            flash(" ".join(refused.messages), "danger")
        else:
            flash(_("QF %(value)s (%(provider)s) enregistré, appliqué à partir de la facture de "
                    "%(month)s.", value=quotient.value, provider=quotient.provider,
                    month=f"{quotient.valid_from:%m/%Y}"), "success")
        return redirect(url_for(".list"), 303)


def _batch_json(batch: QfBatch) -> dict:
    return {"id": batch.id, "state": batch.state, "state_label": QfBatchState(batch.state).label,
            "done": batch.done, "total": batch.total, "found": batch.found,
            "not_found": batch.not_found, "errors": batch.errors,
            "finished": batch.state in (QfBatchState.done, QfBatchState.failed)}


class FinanceQfBatchView(BaseView):
    route_base = "/gestion/quotient-caf/campagne"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        batches = db.session.scalars(
            select(QfBatch).options(selectinload(QfBatch.started_by))
            .order_by(QfBatch.id.desc()).limit(10)).all()
        return self.render_template(
            "staff/qf_batches.html", batches=batches, states=QfBatchState,
            active=[b for b in batches if b.state in (QfBatchState.pending,
                                                      QfBatchState.running)],
            configured=ApiSettings.from_config(current_app.config).enabled,
            title=_("Mise à jour annuelle des quotients familiaux"))

    @expose("/lancer", methods=["POST"])
    @has_access
    def start(self):
        if not ApiSettings.from_config(current_app.config).enabled:
            flash(_("L'API Particulier n'est pas configurée."), "danger")
            return redirect(url_for(".index"), 303)
        try:
            batch = start_batch(current_user.id)
        except CommandError as refused:
            flash(" ".join(refused.messages), "warning")
            return redirect(url_for(".index"), 303)
        try:
            qf_batch.delay(batch.id)  # in-process without Redis: over when this returns
        except Exception:  # broker down: the batch stays pending, say so
            flash(_("La mise à jour n'a pas pu être lancée (file de tâches indisponible)."),
                  "danger")
            return redirect(url_for(".index"), 303)
        flash(_("Mise à jour lancée : suivez son avancement ci-dessous."), "info")
        return redirect(url_for(".report", pk=batch.id), 303)

    @expose("/<int:pk>/etat")
    @has_access
    def status(self, pk: int):
        batch = db.session.get(QfBatch, pk)
        if batch is None:
            abort(404)
        return jsonify(_batch_json(batch))

    @expose("/<int:pk>")
    @has_access
    def report(self, pk: int):
        batch = db.session.get(QfBatch, pk)
        if batch is None:
            abort(404)
        fetches = db.session.scalars(
            select(QfFetch).where(QfFetch.batch_id == pk)
            .options(selectinload(QfFetch.family), selectinload(QfFetch.quotient))
            .order_by(QfFetch.outcome, QfFetch.id)).all()
        return self.render_template("staff/qf_batch_report.html", batch=batch,
                                    fetches=fetches, states=QfBatchState,
                                    outcomes=QfFetchOutcome,
                                    title=_("Mise à jour des quotients n° %(id)s", id=pk))


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffFranceConnectView, _l("Comptes FranceConnect"), "Familles",
                  "fa-id-card")
    add_menu_view(appbuilder, StaffQuotientCafView, _l("Quotient familial CAF / MSA"),
                  "Familles", "fa-bolt")
    add_menu_view(appbuilder, FinanceQfBatchView, _l("Campagne annuelle des QF"), "Finances",
                  "fa-refresh")
