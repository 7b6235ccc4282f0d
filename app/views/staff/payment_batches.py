"""The managers' finance batches: the month's SEPA direct-debit file and the year's
attestations fiscales."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import SepaBatch, TaxCertificate
from ...services.calendar import local_today
from ...services.errors import CommandError
from ...services.money import euros
from ...services.payments.commands import LaunchTaxCertificates
from ...services.payments.sepa import default_collection_date
from ...services.payments.sepa_jobs import SEPA_JOB, start_sepa_batch
from ...services.payments.tax_certificate import certificate_years, issued_certificate_pdf
from ..formatters import french_date
from .common import add_menu_view
from .job_forms import job_token, shown_job, submitted_token
from .request_args import PAGE_SIZE
from .request_args import day as _date
from .request_args import page as _page
from .request_args import user_id as _user_id

BATCHES_SHOWN = 24


def recent_months(today: dt.date, count: int = 12) -> list[dt.date]:
    """This month and the previous ones, the latest first."""
    months, month = [], today.replace(day=1)
    for _i in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


def _month(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        return None


class FinanceSepaBatchView(BaseView):
    """Prélèvements SEPA: one pain.008 file per month of invoices, kept as sent."""

    route_base = "/gestion/prelevements"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        today = local_today()
        months = recent_months(today)
        batches = db.session.scalars(
            select(SepaBatch).order_by(SepaBatch.created_at.desc(), SepaBatch.id.desc())
            .limit(BATCHES_SHOWN)).all()
        job, status = shown_job(SEPA_JOB)
        return self.render_template(
            "staff/finances_sepa.html", title=_("Prélèvements SEPA"), batches=batches,
            months=[(m.strftime("%Y-%m"), format_date(m, "MMMM yyyy").capitalize())
                    for m in months],
            collection=default_collection_date(months[1] if len(months) > 1 else months[0],
                                               today),
            euros=euros, french_date=french_date, job=job, status=status,
            job_token=job_token(),
        )

    @expose("/creer", methods=["POST"])
    @has_access
    def create(self):
        month, collection = _month(request.form.get("month")), _date(request.form.get("date"))
        if month is None or collection is None:
            flash(_("Choisissez le mois des factures et la date de prélèvement."), "danger")
            return redirect(url_for(".list"))
        try:
            job = start_sepa_batch(month, collection, _user_id(), submitted_token())
        except CommandError as refused:
            flash(str(refused), "danger")
            return redirect(url_for(".list"))
        # The batch is recorded by a worker (or a thread of this process): this page
        # answers at once and follows the job's progress bar.
        flash(_("Création du fichier de prélèvement lancée : suivez son avancement "
                "ci-dessous."), "info")
        return redirect(url_for(".list", travail=job.id), 303)

    @expose("/<int:pk>/xml")
    @has_access
    def download(self, pk: int):
        batch = db.session.get(SepaBatch, pk)
        if batch is None:
            abort(404)
        name = f"prelevements-{batch.period_start:%Y-%m}-{batch.id}.xml"
        return Response(batch.xml, mimetype="application/xml", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store"})


class FinanceTaxCertificateView(BaseView):
    """Attestations fiscales: generate the year's for every family concerned, in batch."""

    route_base = "/gestion/attestations-fiscales"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        years = certificate_years(local_today())
        year = request.args.get("year", type=int) or years[0]
        counts = dict(db.session.execute(
            select(TaxCertificate.year, func.count(TaxCertificate.id))
            .group_by(TaxCertificate.year)).all())
        query = (db.session.query(TaxCertificate).filter(TaxCertificate.year == year)
                 .options(selectinload(TaxCertificate.family)))
        total = query.count()
        page = _page()
        rows = (query.order_by(TaxCertificate.family_id)
                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all())
        return self.render_template(
            "staff/finances_certificates.html", title=_("Attestations fiscales"), years=years,
            year=year, counts=counts, rows=rows, total=total, page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), euros=euros,
        )

    @expose("/generer", methods=["POST"])
    @has_access
    def generate(self):
        year = request.form.get("year", type=int)
        try:
            count = LaunchTaxCertificates(year, bool(request.form.get("notify")),
                                          local_today()).run()
        except CommandError as refused:
            flash(refused.message, "danger")
            return redirect(url_for(".list"))
        flash(_("Attestations fiscales %(year)s : %(count)d famille(s) concernée(s), "
                "génération lancée.", year=year, count=count), "success")
        return redirect(url_for(".list", year=year))

    @expose("/<int:pk>/pdf")
    @has_access
    def download(self, pk: int):
        row = db.session.get(TaxCertificate, pk)
        if row is None:
            abort(404)
        name = f"attestation-fiscale-{row.year}-{row.family.account_code}.pdf"
        return Response(issued_certificate_pdf(row), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store"})


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinanceSepaBatchView, _l("Prélèvements SEPA"), "Finances",
                  "fa-exchange")
    add_menu_view(appbuilder, FinanceTaxCertificateView, _l("Attestations fiscales"),
                  "Finances", "fa-file-text-o")
