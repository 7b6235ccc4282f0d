"""Billing in the back office: the manager's monthly billing run (with its progress), the
invoice PDF (staff: managers and agents), and credit notes (managers).

Class names drive permissions (app/security/roles.py): `FinanceBillingRunView` and
`FinanceCreditNoteIssueView` are the manager's; `FinanceInvoicePdfView.pdf` (can_pdf) is
also given to agents, who may list and show invoices.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import BillingRun, BillingRunState, Invoice, Job
from ...services.billing.credit_notes import CreateCreditNote
from ...services.billing.fr import euros, today
from ...services.billing.jobs import start_billing
from ...services.billing.pdf import issued_invoice_pdf, pdf_filename
from ...services.billing.pdf_jobs import PDF_JOB, start_invoice_pdfs
from ...services.billing.preview import SHOWN, preview_month
from ...services.errors import CommandError
from ...services.jobs import job_status
from ...services.money import InvoiceBalance
from ..downloads import pdf_response
from .common import add_menu_view
from .job_forms import job_token, shown_job, submitted_token

RUNS_SHOWN = 24


def _user_id() -> int | None:
    from flask import g

    return getattr(getattr(g, "user", None), "id", None)


def billable_months(day: dt.date, count: int = 12) -> list[dt.date]:
    """The complete months a manager may bill, the latest first (terme échu)."""
    months, month = [], day.replace(day=1)
    for _i in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def month_name(month: dt.date) -> str:
    """'Septembre 2026' (in the user's language)."""
    return format_date(month, "MMMM yyyy").capitalize()


def _run_json(run: BillingRun) -> dict:
    return {
        "id": run.id,
        "state": run.state,
        "state_label": BillingRunState(run.state).label,
        "families_done": run.families_done,
        "families_total": run.families_total,
        "invoices_created": run.invoices_created,
        "finished": run.state in (BillingRunState.done, BillingRunState.failed),
    }


class FinanceBillingRunView(BaseView):
    """« Facturation »: preview a month (dry run, anomalies), confirm, follow the run in
    the background (progress bar, estimated time), read its report; past runs."""

    route_base = "/gestion/facturation"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        runs = db.session.scalars(
            select(BillingRun).options(selectinload(BillingRun.started_by))
            .order_by(BillingRun.created_at.desc(), BillingRun.id.desc()).limit(RUNS_SHOWN)
        ).all()
        day = today()
        months = [(m.strftime("%Y-%m"), month_name(m)) for m in billable_months(day)]
        latest = next((run for run in runs if run.job_id), None)
        job = db.session.get(Job, latest.job_id) if latest else None
        pdf_job, pdf_status = shown_job(PDF_JOB)
        return self.render_template(
            "staff/finances_billing_runs.html", runs=runs, months=months, today=day,
            states=BillingRunState, euros=euros, month_name=month_name,
            title=_("Facturation mensuelle"), latest=latest, job=job,
            status=job_status(job) if job else None, pdf_job=pdf_job,
            pdf_status=pdf_status, job_token=job_token(),
            active=[r for r in runs if r.state in (BillingRunState.pending,
                                                    BillingRunState.running)],
        )

    @expose("/apercu")
    @has_access
    def preview(self):
        """The dry run of a month: totals per school and service, anomalies, confirm."""
        try:
            preview = preview_month(request.args.get("month", ""))
        except CommandError as exc:
            flash(exc.message, "danger")
            return redirect(url_for(".index"))
        return self.render_template(
            "staff/finances_billing_preview.html", preview=preview, euros=euros,
            month_name=month_name, shown=SHOWN,
            title=_("Aperçu de la facturation de %(month)s",
                    month=month_name(preview.month).lower()))

    @expose("/lancer", methods=["POST"])
    @has_access
    def run(self):
        try:
            run = start_billing(request.form.get("month", ""), user_id=_user_id())
        except CommandError as exc:
            flash(exc.message, "danger")
            return redirect(url_for(".index"))
        # On a worker (Celery), or a thread of this process: this page answers at once.
        db.session.expire_all()
        run = db.session.get(BillingRun, run.id)
        if run.state == BillingRunState.done:
            flash(_("Facturation terminée pour %(month)s : %(count)d facture(s) créée(s).",
                    month=month_name(run.month).lower(), count=run.invoices_created),
                  "success")
        elif run.state == BillingRunState.failed:
            flash(_("La facturation a échoué, aucune facture n'a été créée : %(error)s",
                    error=run.error or ""), "danger")
        else:
            flash(_("Facturation lancée pour %(month)s : suivez son avancement ci-dessous.",
                    month=month_name(run.month).lower()), "info")
        return redirect(url_for(".index"))

    @expose("/pdf", methods=["POST"])
    @has_access
    def pdfs(self):
        """« Générer les PDF manquants du mois » as a background job: the page answers at
        once and shows its progress."""
        try:
            job = start_invoice_pdfs(request.form.get("month"), _user_id(), submitted_token())
        except CommandError as exc:
            flash(exc.message, "danger")
            return redirect(url_for(".index"))
        flash(_("Génération des PDF lancée : suivez son avancement ci-dessous."), "info")
        return redirect(url_for(".index", travail=job.id), 303)

    @expose("/etat/<int:pk>")
    @has_access
    def status(self, pk: int):
        run = db.session.get(BillingRun, pk)
        if run is None:
            abort(404)
        return jsonify(_run_json(run))


class FinanceInvoicePdfView(BaseView):
    """The PDF of any invoice, for staff (managers and agents)."""

    route_base = "/gestion/factures-pdf"
    default_view = "pdf"

    @expose("/<int:pk>")
    @has_access
    def pdf(self, pk: int):
        invoice = db.session.get(Invoice, pk)
        if invoice is None:
            abort(404)
        return pdf_response(issued_invoice_pdf(invoice), pdf_filename(invoice))


class FinanceCreditNoteIssueView(BaseView):
    """Émettre un avoir on an issued invoice (the invoice itself never changes)."""

    route_base = "/gestion/avoirs/emettre"
    default_view = "find"

    @expose("/", methods=["GET"])
    @has_access
    def find(self):
        """Find the invoice by its number (FAC-2026-000042)."""
        number = (request.args.get("number") or "").strip().upper()
        if number:
            invoice = db.session.scalars(select(Invoice).where(Invoice.number == number)).first()
            if invoice is not None:
                return redirect(url_for(".issue", pk=invoice.id))
            flash(_("Aucune facture ne porte le numéro %(number)s.", number=number), "warning")
        return self.render_template("staff/finances_credit_note_find.html", number=number,
                                    title=_("Émettre un avoir"))

    @expose("/<int:pk>", methods=["GET", "POST"])
    @has_access
    def issue(self, pk: int):
        invoice = db.session.get(Invoice, pk)
        if invoice is None:
            abort(404)
        form = {"amount": "", "reason": ""}
        if request.method == "POST":
            form = {"amount": request.form.get("amount", ""),
                    "reason": request.form.get("reason", "")}
            try:
                note = CreateCreditNote(invoice.id, form["amount"], form["reason"],
                                        user_id=_user_id()).run()
            except CommandError as exc:
                flash(exc.message, "danger")
            else:
                flash(_("Avoir %(number)s de %(amount)s émis sur la facture %(invoice)s.",
                        number=note.number, amount=euros(note.amount),
                        invoice=invoice.number), "success")
                return redirect(url_for(".issue", pk=invoice.id))
            invoice = db.session.get(Invoice, pk)
        balance = InvoiceBalance.of(invoice)
        return self.render_template(
            "staff/finances_credit_note_form.html", invoice=invoice, form=form, euros=euros,
            credited=balance.credited, paid=balance.paid, creditable=balance.creditable,
            due=balance.due,
            title=_("Avoir sur la facture %(number)s", number=invoice.number),
        )


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinanceBillingRunView, _l("Facturation mensuelle"), "Finances",
                  "fa-calculator")
    add_menu_view(appbuilder, FinanceCreditNoteIssueView, _l("Émettre un avoir"), "Finances",
                  "fa-minus-circle")
    appbuilder.add_view_no_menu(FinanceInvoicePdfView)
