"""Finances: invoices, their lines, payments received."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from ...models import Invoice, InvoiceLine, InvoiceState, Payment, PaymentMethod
from ..base import ParentModelView, PortalInterface
from ..formatters import enum_label, euros, french_date

READ_ONLY = {"can_list", "can_show"}


class ParentInvoiceLineView(ParentModelView):
    datamodel = PortalInterface(InvoiceLine)
    base_permissions = READ_ONLY
    list_columns = ["label", "quantity", "unit_price", "amount"]
    label_columns = {
        "label": _l("Détail"),
        "quantity": _l("Jours"),
        "unit_price": _l("Prix unitaire"),
        "amount": _l("Montant"),
    }
    formatters_columns = {"unit_price": euros, "amount": euros}


class ParentInvoiceView(ParentModelView):
    datamodel = PortalInterface(Invoice)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Mes factures")
    list_columns = ["number", "period_start", "issued_on", "due_on", "total", "state"]
    show_columns = list_columns
    search_columns = ["number", "state"]
    base_order = ("issued_on", "desc")
    label_columns = {
        "number": _l("Facture"),
        "period_start": _l("Mois"),
        "issued_on": _l("Émise le"),
        "due_on": _l("À payer avant le"),
        "total": _l("Montant"),
        "state": _l("État"),
    }
    formatters_columns = {
        "period_start": lambda d: d.strftime("%m/%Y") if d else "",
        "issued_on": french_date,
        "due_on": french_date,
        "total": euros,
        "state": enum_label(InvoiceState),
    }
    related_views = [ParentInvoiceLineView]


class ParentPaymentView(ParentModelView):
    datamodel = PortalInterface(Payment)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Mes règlements")
    list_columns = ["received_on", "amount", "method", "invoice", "reference"]
    base_order = ("received_on", "desc")
    label_columns = {
        "received_on": _l("Reçu le"),
        "amount": _l("Montant"),
        "method": _l("Mode de paiement"),
        "invoice": _l("Facture"),
        "reference": _l("Référence"),
    }
    formatters_columns = {
        "received_on": french_date,
        "amount": euros,
        "method": enum_label(PaymentMethod),
    }


def register(appbuilder: AppBuilder) -> None:
    category = {"category": "ParentFinances", "category_label": _l("Finances")}
    appbuilder.add_view(ParentInvoiceView, "ParentInvoices", label=_l("Mes factures"), **category)
    appbuilder.add_view(ParentPaymentView, "ParentPayments", label=_l("Mes règlements"), **category)
    appbuilder.add_view_no_menu(ParentInvoiceLineView)
