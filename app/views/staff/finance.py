"""Finances: tariffs and their QF brackets, invoices (read-only: an issued invoice is
never edited, a correction is a credit note), credit notes, payments, SEPA mandates.

`Finance*` names: managers only, except invoices (agents list/show) and payments
(agents list/show/add), see app/security/roles.py.
"""

from __future__ import annotations

from flask import abort
from flask_appbuilder import AppBuilder, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ...extensions import db
from ...models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceState,
    Payment,
    PaymentMethod,
    SepaMandate,
    Tariff,
    TariffBracket,
)
from ...services.billing.pdf import credit_note_filename, issued_credit_note_pdf
from ...services.errors import CommandError
from ...services.exports import catalogue
from ...services.payments import offline as payment_rules
from ...services.payments.sepa import check_mandate
from ..downloads import pdf_response
from .common import READ_ONLY_ROUTES, PortalStaffView, add_menu_view, labels, reject


def _month(value) -> str:
    return value.strftime("%m/%Y") if value is not None else ""


class FinanceTariffBracketView(PortalStaffView):
    datamodel = SQLAInterface(TariffBracket)
    route_base = "/gestion/tranches-tarifaires"
    list_title = _l("Tranches de quotient familial")
    show_title = _l("Fiche tranche tarifaire")
    add_title = _l("Nouvelle tranche tarifaire")
    edit_title = _l("Modifier la tranche tarifaire")
    label_columns = labels({
        "tariff": _l("Tarif"),
        "qf_min": _l("QF de"),
        "qf_max": _l("QF jusqu'à (vide = et plus)"),
        "unit_price": _l("Prix unitaire"),
        "unbooked_price": _l("Prix sans réservation"),
    })
    list_columns = ["tariff", "qf_min", "qf_max", "unit_price", "unbooked_price"]
    # The tariff's name shows its service and school year.
    list_eager = ("tariff.service", "tariff.school_year")
    search_columns = ["qf_min", "qf_max", "unit_price"]
    base_order = ("qf_min", "asc")
    add_columns = ["tariff", "qf_min", "qf_max", "unit_price", "unbooked_price"]
    edit_columns = add_columns
    show_columns = add_columns

    def pre_add(self, item: TariffBracket) -> None:
        _check_bracket(item)

    def pre_update(self, item: TariffBracket) -> None:
        _check_bracket(item)


def _check_bracket(item: TariffBracket) -> None:
    if item.qf_max is not None and item.qf_min is not None and item.qf_max < item.qf_min:
        reject(_l("Le QF maximum doit être supérieur ou égal au QF minimum."))


class FinanceTariffView(PortalStaffView):
    datamodel = SQLAInterface(Tariff)
    route_base = "/gestion/tarifs"
    list_title = _l("Tarifs")
    show_title = _l("Fiche tarif")
    add_title = _l("Nouveau tarif")
    edit_title = _l("Modifier le tarif")
    label_columns = labels({"brackets": _l("Tranches")})
    list_columns = ["service", "school_year", "label"]
    search_columns = ["service", "school_year", "label"]
    base_order = ("school_year_id", "desc")
    add_columns = ["service", "school_year", "label"]
    edit_columns = add_columns
    show_columns = add_columns
    related_views = [FinanceTariffBracketView]


class FinanceInvoiceLineView(PortalStaffView):
    datamodel = SQLAInterface(InvoiceLine)
    route_base = "/gestion/lignes-de-facture"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Lignes de facture")
    show_title = _l("Fiche ligne de facture")
    label_columns = labels({
        "quantity": _l("Jours"),
        "unit_price": _l("Prix unitaire"),
    })
    list_columns = ["invoice", "child", "service", "label", "quantity", "unit_price", "amount"]
    search_columns = ["label", "service", "quantity", "amount"]
    base_order = ("id", "asc")
    show_columns = list_columns


class FinanceCreditNoteView(PortalStaffView):
    datamodel = SQLAInterface(CreditNote)
    route_base = "/gestion/avoirs"
    include_route_methods = READ_ONLY_ROUTES | {"pdf"}
    list_title = _l("Avoirs")
    show_title = _l("Fiche avoir")
    label_columns = labels({"issued_on": _l("Émis le")})
    list_columns = ["number", "invoice", "family", "issued_on", "amount", "reason"]
    search_columns = ["number", "issued_on", "amount", "reason"]
    base_order = ("issued_on", "desc")
    show_columns = list_columns

    @expose("/pdf/<int:pk>")
    @has_access
    def pdf(self, pk: int):
        """The credit note's PDF, as rendered when it was issued."""
        note = db.session.get(CreditNote, pk)
        if note is None:
            abort(404)
        return pdf_response(issued_credit_note_pdf(note), credit_note_filename(note))


class FinancePaymentView(PortalStaffView):
    datamodel = SQLAInterface(Payment)
    export_spec = catalogue.PAYMENTS
    route_base = "/gestion/reglements"
    list_title = _l("Règlements")
    show_title = _l("Fiche règlement")
    add_title = _l("Enregistrer un règlement")
    edit_title = _l("Modifier le règlement")
    label_columns = labels({
        "method": _l("Mode de paiement"),
        "received_on": _l("Reçu le"),
        "reference": _l("Référence (n° de chèque, transaction…)"),
        "created_at": _l("Saisi le"),
        "override_reason": _l("Motif si un paiement en ligne est en cours"),
    })
    enum_columns = {"method": PaymentMethod}
    list_columns = ["received_on", "family", "invoice", "amount", "method", "reference"]
    search_columns = ["received_on", "method", "amount", "reference"]
    base_order = ("received_on", "desc")
    add_columns = ["family", "invoice", "amount", "method", "received_on", "reference", "comment",
                   "override_reason"]
    edit_columns = add_columns[:-1]
    show_columns = [*add_columns, "created_at"]

    def pre_add(self, item: Payment) -> None:
        _check_payment(item)
        item.recorded_by_id = self.current_user_id()

    def pre_update(self, item: Payment) -> None:
        _check_payment(item)

    # The invoice's state (à payer / payée) follows its payments.
    def post_add(self, item: Payment) -> None:
        payment_rules.settle_invoice(item.invoice_id)

    def post_update(self, item: Payment) -> None:
        payment_rules.settle_invoice(item.invoice_id)

    def post_delete(self, item: Payment) -> None:
        payment_rules.settle_invoice(item.invoice_id)


def _check_payment(item: Payment) -> None:
    if item.amount is not None and item.amount <= 0:
        reject(_l("Le montant d'un règlement doit être positif."))
    if item.invoice is not None and item.family is not None \
            and item.invoice.family_id != item.family.id:
        reject(_l("Cette facture n'est pas celle de cette famille."))
    try:  # app.services.payments.offline: an invoice, methods, rest to pay, CESU for care
        payment_rules.check_payment(item)
    except CommandError as refused:
        reject(refused)


class FinanceInvoiceView(PortalStaffView):
    datamodel = SQLAInterface(Invoice)
    export_spec = catalogue.INVOICES
    route_base = "/gestion/factures"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _l("Factures")
    show_title = _l("Fiche facture")
    label_columns = labels({
        "period_start": _l("Mois facturé"),
        "due_on": _l("Échéance"),
        "total": _l("Total"),
        "direct_debit": _l("Prélèvement"),
        "lines": _l("Lignes"),
    })
    enum_columns = {"state": InvoiceState}
    formatters_columns = {"period_start": _month}
    list_columns = ["number", "family", "period_start", "issued_on", "due_on", "total", "state",
                    "direct_debit"]
    search_columns = ["number", "period_start", "issued_on", "due_on", "state", "direct_debit",
                      "total"]
    base_order = ("issued_on", "desc")
    show_columns = list_columns
    related_views = [FinanceInvoiceLineView, FinancePaymentView, FinanceCreditNoteView]


_SEQUENCE_TYPES = [
    ("FRST", _l("Premier prélèvement (FRST)")),
    ("RCUR", _l("Prélèvement récurrent (RCUR)")),
]


class FinanceSepaMandateView(PortalStaffView):
    datamodel = SQLAInterface(SepaMandate)
    route_base = "/gestion/mandats-sepa"
    list_title = _l("Mandats SEPA")
    show_title = _l("Fiche mandat SEPA")
    add_title = _l("Nouveau mandat SEPA")
    edit_title = _l("Modifier le mandat SEPA")
    label_columns = labels({
        "rum": _l("RUM"),
        "holder_name": _l("Titulaire du compte"),
        "iban": _l("IBAN"),
        "bic": _l("BIC"),
        "signed_on": _l("Signé le"),
        "sequence_type": _l("Séquence"),
        "revoked_on": _l("Révoqué le"),
    })
    formatters_columns = {"sequence_type": lambda v: str(dict(_SEQUENCE_TYPES).get(v, v or ""))}
    _sequence_field = SelectField(_l("Séquence"), choices=_SEQUENCE_TYPES, widget=Select2Widget())
    add_form_extra_fields = {"sequence_type": _sequence_field}
    edit_form_extra_fields = {"sequence_type": _sequence_field}
    # The IBAN stays on the mandate's page, out of lists and exports.
    list_columns = ["rum", "family", "holder_name", "signed_on", "sequence_type", "active",
                    "revoked_on"]
    search_columns = ["rum", "holder_name", "signed_on", "active", "revoked_on"]
    base_order = ("signed_on", "desc")
    add_columns = ["family", "rum", "holder_name", "iban", "bic", "signed_on", "sequence_type",
                   "active", "revoked_on"]
    edit_columns = add_columns
    show_columns = add_columns

    def pre_add(self, item: SepaMandate) -> None:
        _normalise_mandate(item)

    def pre_update(self, item: SepaMandate) -> None:
        _normalise_mandate(item)


def _normalise_mandate(item: SepaMandate) -> None:
    item.iban = "".join((item.iban or "").split()).upper()
    item.bic = "".join((item.bic or "").split()).upper()
    if not iban_is_valid(item.iban):
        reject(_l("IBAN invalide : vérifiez-le sur le mandat signé."))
    if len(item.bic) not in (8, 11) or not item.bic.isalnum():
        reject(_l("BIC invalide : 8 ou 11 lettres et chiffres."))
    try:  # schwifty (bank codes, BIC format), the RUM's characters, the sequence
        check_mandate(item)
    except CommandError as refused:
        reject(refused)


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 check digits (mod 97), so a typo never reaches the bank's debit file."""
    if not 15 <= len(iban) <= 34 or not iban.isalnum() or not iban[:2].isalpha():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, FinanceTariffView, _l("Tarifs"), "Finances", "fa-tags")
    add_menu_view(appbuilder, FinanceInvoiceView, _l("Factures"), "Finances", "fa-file-text")
    add_menu_view(appbuilder, FinanceCreditNoteView, _l("Avoirs"), "Finances", "fa-undo")
    add_menu_view(appbuilder, FinancePaymentView, _l("Règlements"), "Finances", "fa-money")
    add_menu_view(appbuilder, FinanceSepaMandateView, _l("Mandats SEPA"), "Finances",
                  "fa-university")
    appbuilder.add_view_no_menu(FinanceTariffBracketView)
    appbuilder.add_view_no_menu(FinanceInvoiceLineView)
