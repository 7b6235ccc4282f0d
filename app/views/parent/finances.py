"""Finances, the parent's rubrique: the family's invoices with their state (à payer,
paiement en cours, payée), their PDF, online payment, the payments received, and the yearly
attestations fiscales. Every query is scoped to the user's families (`family_clause`).

`datamodel` on these BaseViews only tells the isolation sweep (tests/security) which
model the `<pk>` of their routes designates.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    Child,
    Family,
    Invoice,
    InvoiceLine,
    InvoiceState,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    Service,
    TaxCertificate,
    TransactionState,
)
from ...security.manager import current_family_ids
from ...security.scope import family_clause
from ...services.calendar import local_today
from ...services.payments.balance import ZERO, family_balance, load_invoices, statuses
from ...services.payments.online import PaymentRefused, start_payment
from ...services.payments.tax_certificate import (
    certificate_years,
    issue_certificate,
    under_six_cutoff,
)
from ..formatters import euros, french_date

STATE_ICONS = {
    InvoiceState.issued: "fa-exclamation-circle",
    InvoiceState.payment_pending: "fa-hourglass-half",
    InvoiceState.paid: "fa-check-circle",
    InvoiceState.cancelled: "fa-ban",
}


def _invoice_statuses():
    query = (
        db.session.query(Invoice)
        .filter(family_clause(Invoice))
        .options(selectinload(Invoice.lines).selectinload(InvoiceLine.service))
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
    )
    return statuses(load_invoices(query))


def _certificate_offers(family_ids: list[int], stored: list[TaxCertificate]) -> list[int]:
    """Completed years for which the family paid childcare for a child under 6 and has no
    certificate yet (one query)."""
    today = local_today()
    rows = db.session.execute(
        select(Payment.received_on, Child.birth_date).distinct()
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Service, Service.id == InvoiceLine.service_id)
        .join(Child, Child.id == InvoiceLine.child_id)
        .where(Payment.family_id.in_(family_ids or [-1]), Service.is_childcare.is_(True),
               Payment.received_on < dt.date(today.year, 1, 1))
    ).all()
    have = {(c.family_id, c.year) for c in stored}
    years = {
        received.year for received, born in rows if born > under_six_cutoff(received.year)
    }
    allowed = set(certificate_years(today))
    return sorted(
        (y for y in years & allowed
         if any((family_id, y) not in have for family_id in family_ids)),
        reverse=True,
    )


class ParentFinanceView(BaseView):
    route_base = "/famille/finances"
    default_view = "index"
    datamodel = SQLAInterface(Invoice)

    @expose("/")
    @has_access
    def index(self):
        family_ids = current_family_ids()
        families = db.session.query(Family).filter(family_clause(Family)).order_by(Family.name)
        invoice_statuses = _invoice_statuses()
        payments = (
            db.session.query(Payment).filter(family_clause(Payment))
            .options(selectinload(Payment.invoice))
            .order_by(Payment.received_on.desc(), Payment.id.desc()).all()
        )
        certificates = (
            db.session.query(TaxCertificate).filter(family_clause(TaxCertificate))
            .order_by(TaxCertificate.year.desc()).all()
        )
        return self.render_template(
            "finance_parent/index.html",
            title=_("Finances"),
            families=[(family, family_balance(family.id)) for family in families],
            invoices=invoice_statuses,
            payments=payments,
            certificates=certificates,
            offers=_certificate_offers(family_ids, certificates),
            states=InvoiceState,
            state_icons=STATE_ICONS,
            methods=PaymentMethod,
            euros=euros,
            french_date=french_date,
            zero=ZERO,
        )

    @expose("/factures/<int:pk>/pdf")
    @has_access
    def invoice_pdf(self, pk: int):
        invoice = _family_invoice(pk)
        from ...services.billing.pdf import invoice_pdf, pdf_filename  # the billing's PDF

        return Response(invoice_pdf(invoice), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{pdf_filename(invoice)}"',
            "Cache-Control": "private, no-store",
        })

    @expose("/factures/<int:pk>/payer", methods=["POST"])
    @has_access
    def pay(self, pk: int):
        email = getattr(current_user, "email", None)
        try:
            url = start_payment(pk, current_family_ids(), email=email, user_id=current_user.id)
        except LookupError:
            abort(404)
        except PaymentRefused as refused:
            flash(refused.message, "warning")
            return redirect(url_for(".index"))
        return redirect(url)

    @expose("/factures/<int:pk>/retour")
    @has_access
    def payment_return(self, pk: int):
        """Where the payment service sends the payer back. It shows what the server-side
        notification recorded; the browser's return itself proves nothing."""
        invoice = _family_invoice(pk)
        status = statuses(load_invoices(db.session.query(Invoice).filter(
            Invoice.id == invoice.id)))[0]
        last = db.session.scalars(
            select(PaymentTransaction).where(PaymentTransaction.invoice_id == invoice.id)
            .order_by(PaymentTransaction.created_at.desc(), PaymentTransaction.id.desc())
        ).first()
        return self.render_template(
            "finance_parent/payment_return.html", title=_("Paiement de la facture %(number)s",
                                                          number=invoice.number),
            status=status, last=last, txn_states=TransactionState, states=InvoiceState,
            euros=euros,
        )


def _family_invoice(pk: int) -> Invoice:
    invoice = db.session.scalars(
        select(Invoice).where(Invoice.id == pk, family_clause(Invoice))
    ).first()
    if invoice is None:
        abort(404)
    return invoice


class ParentTaxCertificateView(BaseView):
    """The family's attestations fiscales: download, or ask for a completed year's."""

    route_base = "/famille/finances/attestations"
    default_view = "generate"
    datamodel = SQLAInterface(TaxCertificate)

    @expose("/<int:pk>/pdf")
    @has_access
    def download(self, pk: int):
        row = db.session.scalars(
            select(TaxCertificate).where(TaxCertificate.id == pk, family_clause(TaxCertificate))
        ).first()
        if row is None:
            abort(404)
        return Response(row.pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="attestation-fiscale-{row.year}.pdf"',
            "Cache-Control": "private, no-store",
        })

    @expose("/demander", methods=["POST"])
    @has_access
    def generate(self):
        try:
            year = int(request.form.get("year", ""))
        except ValueError:
            abort(400)
        if year not in certificate_years(local_today()):
            abort(400)
        made = [issue_certificate(family_id, year) for family_id in current_family_ids()]
        db.session.commit()
        if not any(made):
            flash(_("Aucun montant ne donne droit à une attestation fiscale pour %(year)s.",
                    year=year), "info")
        else:
            flash(_("Votre attestation fiscale %(year)s est prête.", year=year), "success")
        return redirect(url_for("ParentFinanceView.index") + "#attestations")


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentFinanceView, "ParentFinances", label=_l("Finances"),
                        icon="fa-eur")
    appbuilder.add_view_no_menu(ParentTaxCertificateView)
