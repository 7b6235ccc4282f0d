"""Finances, the parent's rubrique: the family's invoices with their state (à payer,
paiement en cours, payée), their PDF, online payment, the payments received, and the yearly
attestations fiscales. Every query is scoped to the user's families (`family_clause`).

`datamodel` on these BaseViews only tells the isolation sweep (tests/security) which
model the `<pk>` of their routes designates.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import (
    CreditNote,
    Family,
    Invoice,
    InvoiceState,
    PaymentMethod,
    PaymentTransaction,
    TaxCertificate,
    TransactionState,
)
from ...security.scope import current_family_ids, family_clause, owned
from ...services.billing.pdf import (
    credit_note_filename,
    issued_credit_note_pdf,
    issued_invoice_pdf,
    pdf_filename,
)
from ...services.calendar import local_today
from ...services.errors import CommandError
from ...services.money import euros
from ...services.payments import queries as finance_queries
from ...services.payments.balance import ZERO, family_balance, load_invoices, statuses
from ...services.payments.commands import IssueTaxCertificates
from ...services.payments.online import start_payment
from ...services.payments.tax_certificate import issued_certificate_pdf
from ..downloads import pdf_response
from ..formatters import french_date
from .payment import payment_urls

STATE_ICONS = {
    InvoiceState.issued: "fa-exclamation-circle",
    InvoiceState.payment_pending: "fa-hourglass-half",
    InvoiceState.paid: "fa-check-circle",
    InvoiceState.cancelled: "fa-ban",
}


class ParentFinanceView(BaseView):
    route_base = "/famille/finances"
    default_view = "index"
    datamodel = SQLAInterface(Invoice)

    @expose("/")
    @has_access
    def index(self):
        family_ids = current_family_ids()  # every household side by side
        families = db.session.query(Family).filter(family_clause(Family)).order_by(Family.name)
        invoice_statuses = finance_queries.family_invoices(family_ids)
        payments = finance_queries.family_payments(family_ids)
        certificates = finance_queries.family_certificates(family_ids)
        return self.render_template(
            "parent/finances.html",
            title=_("Finances"),
            families=[(family, family_balance(family.id)) for family in families],
            invoices=invoice_statuses,
            payments=payments,
            certificates=certificates,
            offers=finance_queries.certificate_offers(family_ids, certificates, local_today()),
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
        return pdf_response(issued_invoice_pdf(invoice), pdf_filename(invoice))  # as issued

    @expose("/factures/<int:pk>/payer", methods=["POST"])
    @has_access
    def pay(self, pk: int):
        email = getattr(current_user, "email", None)
        try:
            url = start_payment(pk, current_family_ids(), email=email, user_id=current_user.id,
                                urls=payment_urls(pk))
        except LookupError:
            abort(404)
        except CommandError as refused:
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
            "parent/finances_payment_return.html", title=_("Paiement de la facture %(number)s",
                                                          number=invoice.number),
            status=status, last=last, txn_states=TransactionState, states=InvoiceState,
            euros=euros,
        )


def _owned_or_404(model: type, pk: int):
    """One of the current user's families' rows (app.security.scope.owned), else 404."""
    row = owned(model, pk)
    if row is None:
        abort(404)
    return row


def _family_invoice(pk: int) -> Invoice:
    return _owned_or_404(Invoice, pk)


class ParentCreditNoteView(BaseView):
    """The PDF of one of the family's credit notes, as rendered when it was issued."""

    route_base = "/famille/finances/avoirs"
    default_view = "pdf"
    datamodel = SQLAInterface(CreditNote)

    @expose("/<int:pk>/pdf")
    @has_access
    def pdf(self, pk: int):
        note = _owned_or_404(CreditNote, pk)
        return pdf_response(issued_credit_note_pdf(note), credit_note_filename(note))


class ParentTaxCertificateView(BaseView):
    """The family's attestations fiscales: download, or ask for a completed year's."""

    route_base = "/famille/finances/attestations"
    default_view = "generate"
    datamodel = SQLAInterface(TaxCertificate)

    @expose("/<int:pk>/pdf")
    @has_access
    def download(self, pk: int):
        row = _owned_or_404(TaxCertificate, pk)
        return pdf_response(issued_certificate_pdf(row), f"attestation-fiscale-{row.year}.pdf")

    @expose("/demander", methods=["POST"])
    @has_access
    def generate(self):
        year = request.form.get("year", type=int)
        try:
            made = IssueTaxCertificates(current_family_ids(), year, local_today()).run()
        except CommandError:
            abort(400)  # the form offers completed years only
        if not made:
            flash(_("Aucun montant ne donne droit à une attestation fiscale pour %(year)s.",
                    year=year), "info")
        else:
            flash(_("Votre attestation fiscale %(year)s est prête.", year=year), "success")
        return redirect(url_for("ParentFinanceView.index") + "#attestations")


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(ParentFinanceView, "ParentFinances", label=_l("Finances"),
                        icon="fa-eur")
    appbuilder.add_view_no_menu(ParentTaxCertificateView)
    appbuilder.add_view_no_menu(ParentCreditNoteView)
