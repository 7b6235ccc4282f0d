"""Payments in the back office (app.services.payments).

- `FinancePaymentAccountView` — « Comptes familles »: each family's balance, its invoices
  with what is left to pay, and the form recording a cheque, cash, CESU or transfer
  payment. Agents record payments: `FinancePayment*` gives them can_list/can_show/can_add
  (app/security/roles.py); managers have every `Finance*` view.
- `FinanceUnpaidView` — overdue invoices and reminder mails (managers).

The SEPA batches and the attestations fiscales are in payment_batches.py.
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    CreditKind,
    Family,
    Invoice,
    InvoiceLine,
    InvoiceState,
    Payment,
    PaymentMethod,
    PaymentReminder,
    TransactionState,
)
from ...services.calendar import local_today
from ...services.errors import CommandError
from ...services.exports import catalogue
from ...services.money import euros
from ...services.payments.balance import (
    ZERO,
    family_balances,
    load_invoices,
    statuses,
    unpaid_query,
)
from ...services.payments.commands import RecordPayment
from ...services.payments.credits import RefundCredit, credit_balance, movements
from ...services.payments.offline import STAFF_METHODS, cesu_cap, pending_online, pending_text
from ..exports import csv_response, xlsx_response
from ..formatters import french_date
from .common import add_menu_view
from .request_args import PAGE_SIZE
from .request_args import day as _date
from .request_args import page as _page
from .request_args import user_id as _user_id


def balances(family_ids: list[int]) -> dict[int, Decimal]:
    """family id → what it owes (positive) or its credit (negative); Decimal sums in Python."""
    return {family_id: balance.due for family_id, balance in family_balances(family_ids).items()}


def _pending(invoices: list[Invoice]) -> list[tuple[str, str]]:
    """(invoice number, what is pending) for the open invoices being paid online."""
    found = []
    for invoice in invoices:
        txn = pending_online(invoice.id)
        if txn is not None:
            found.append((invoice.number, pending_text(txn)))
    return found


class FinancePaymentAccountView(BaseView):
    """Comptes familles: balances, and recording a payment on a family's invoice."""

    route_base = "/gestion/comptes-familles"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        text = (request.args.get("q") or "").strip()
        query = db.session.query(Family)
        if text:
            pattern = f"%{text}%"
            query = query.filter(or_(Family.name.ilike(pattern),
                                     Family.account_code.ilike(pattern)))
        total = query.count()
        page = _page()
        families = (query.order_by(Family.name, Family.id)
                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all())
        return self.render_template(
            "staff/finances_accounts.html", title=_("Comptes familles"), families=families,
            balances=balances([f.id for f in families]), q=text, page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), euros=euros, zero=ZERO,
        )

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        return self._account(pk)

    @expose("/<int:pk>/reglement", methods=["POST"])
    @has_access
    def add(self, pk: int):
        family = db.session.get(Family, pk)
        if family is None:
            abort(404)
        form = request.form
        try:
            payment = RecordPayment(
                family_id=pk, invoice_id=form.get("invoice", type=int),
                amount=form.get("amount"), method=form.get("method"),
                received_on=_date(form.get("received_on")), reference=form.get("reference"),
                comment=form.get("comment"), user_id=_user_id(),
                override_reason=form.get("override_reason")).run()
        except CommandError as refused:
            return self._account(pk, errors=refused.messages, form=form)
        flash(_("Règlement de %(amount)s enregistré sur la facture %(number)s.",
                amount=euros(payment.amount), number=payment.invoice.number), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/remboursement", methods=["POST"])
    @has_access
    def refund(self, pk: int):
        if db.session.get(Family, pk) is None:
            abort(404)
        form = request.form
        try:
            row = RefundCredit(pk, form.get("amount"), form.get("holder"), form.get("iban"),
                               form.get("reference"), form.get("on_date"), _user_id()).run()
        except CommandError as refused:
            return self._account(pk, form=form, refund_errors=refused.messages)
        flash(_("Remboursement de %(amount)s enregistré.", amount=euros(row.amount)), "success")
        return redirect(url_for(".show", pk=pk) + "#avoir")

    def _account(self, pk: int, errors: list[str] | None = None, form=None,
                 refund_errors: list[str] | None = None):
        family = db.session.get(Family, pk)
        if family is None:
            abort(404)
        invoices = statuses(load_invoices(
            db.session.query(Invoice).filter(Invoice.family_id == pk)
            .options(selectinload(Invoice.lines).selectinload(InvoiceLine.service))
            .order_by(Invoice.period_start.desc(), Invoice.id.desc())))
        payments = (db.session.query(Payment).filter(Payment.family_id == pk)
                    .options(selectinload(Payment.invoice))
                    .order_by(Payment.received_on.desc(), Payment.id.desc()).all())
        open_invoices = [s for s in invoices if s.state in (InvoiceState.issued,
                                                           InvoiceState.payment_pending)
                         and s.outstanding > ZERO]
        return self.render_template(
            "staff/finances_account.html", title=_("Compte %(name)s", name=family.name),
            family=family, balance=balances([pk])[pk], invoices=invoices, payments=payments,
            open_invoices=open_invoices,
            pending=_pending([s.invoice for s in open_invoices]),
            credit=credit_balance(pk), credit_rows=movements(pk),
            credit_kinds=CreditKind.labels(), refund_errors=refund_errors or [],
            cesu={s.invoice.id: cesu_cap(s.invoice) for s in open_invoices},
            methods=[(m.value, m.label) for m in STAFF_METHODS], all_methods=PaymentMethod,
            states=InvoiceState, errors=errors or [], form=form or {},
            today=local_today(), euros=euros, french_date=french_date, zero=ZERO,
        ), (400 if errors or refund_errors else 200)


class FinanceUnpaidView(BaseView):
    """Impayés: invoices past their due date, and reminder mails to the families."""

    route_base = "/gestion/impayes"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        today = local_today()
        query = unpaid_query(today)
        total = query.count()
        page = _page()
        rows = statuses(load_invoices(
            query.options(selectinload(Invoice.family))
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        ids = [s.invoice.id for s in rows]
        # Stored in UTC, shown on the town's clock (a reminder at 00:30 in Paris is today's).
        reminded = {invoice_id: to_user_timezone(sent_at) for invoice_id, sent_at in
                    db.session.execute(
                        select(PaymentReminder.invoice_id, func.max(PaymentReminder.sent_at))
                        .where(PaymentReminder.invoice_id.in_(ids or [-1]))
                        .group_by(PaymentReminder.invoice_id)).all()}
        return self.render_template(
            "staff/finances_unpaid.html", title=_("Impayés"), rows=rows, reminded=reminded,
            total=total, page=page, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            states=InvoiceState, euros=euros, french_date=french_date, today=today,
        )

    @expose("/csv")
    @has_access
    def csv(self):
        spec = catalogue.UNPAID
        return csv_response(spec.name, spec.columns(), spec.rows(unpaid_query(local_today())))

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        spec = catalogue.UNPAID
        return xlsx_response(spec.name, spec.title, spec.columns(),
                             spec.rows(unpaid_query(local_today())), url_for(".list"))

    @expose("/relancer", methods=["POST"])
    @has_access
    def remind(self):
        from ...services.payments.tasks import launch_reminders

        if request.form.get("all"):
            ids = [i for (i,) in unpaid_query(local_today()).with_entities(Invoice.id)]
        else:
            ids = [int(v) for v in request.form.getlist("invoice") if v.isdigit()]
        if not ids:
            flash(_("Choisissez au moins une facture à relancer."), "warning")
            return redirect(url_for(".list"))
        count = launch_reminders(ids, _user_id(), url_for("ParentFinanceView.index",
                                                          _external=True))
        flash(_("Relance lancée pour %(count)d facture(s) : un courriel par famille.",
                count=count), "success")
        return redirect(url_for(".list"))


class FinanceReconciliationView(BaseView):
    """Rapprochement: online transactions whose confirmation, amount or invoice disagree."""

    route_base = "/gestion/rapprochement"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        from ...services.payments.reconciliation import disagreements

        return self.render_template(
            "staff/finances_reconciliation.html", title=_("Rapprochement des paiements en ligne"),
            rows=disagreements(), euros=euros, french_date=french_date,
            states=TransactionState.labels(),
        )


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinancePaymentAccountView, _l("Comptes familles"), "Finances",
                  "fa-balance-scale")
    add_menu_view(appbuilder, FinanceUnpaidView, _l("Impayés et relances"), "Finances",
                  "fa-bell")
    add_menu_view(appbuilder, FinanceReconciliationView, _l("Rapprochement"), "Finances",
                  "fa-check-square-o")


__all__ = ["FinancePaymentAccountView", "FinanceReconciliationView", "FinanceUnpaidView",
           "register"]
