"""The invoice as a PDF (xhtml2pdf): the town's letterhead, the family's address, the lines,
credit notes and payments, what is left to pay, and how to pay it.

`invoice_pdf(invoice) -> bytes` is what every download route calls (staff and parents);
the caller checks who may download it. Always in French: it is the town's official
document, whatever language the reader's portal uses.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from flask import current_app
from flask_babel import force_locale
from xhtml2pdf import pisa

from ...models import CreditNote, Invoice, InvoiceState, PaymentMethod
from ..issued_pdfs import stored_or_render
from ..money import InvoiceBalance
from .fr import date_fr, euros, month_label
from .snapshot import (
    credit_note_view,
    debtor_name,
    frozen_context,
    load,
    mandate_of,
    town_details,
)


class PdfError(RuntimeError):
    pass


def pdf_filename(invoice: Invoice) -> str:
    return f"facture-{invoice.number}.pdf"


def _live_parts(invoice: Invoice) -> dict:
    """An invoice issued before snapshots: its rows and today's letterhead."""
    family = invoice.family
    mandate = mandate_of(invoice)
    return {
        "debtor": SimpleNamespace(name=debtor_name(family), family_name=family.name,
                                  account_code=family.account_code,
                                  address=family.address or "",
                                  postal_code=family.postal_code or "",
                                  city=family.city or ""),
        "town": town_details(),
        "lines": sorted(invoice.lines, key=lambda line: line.id or 0),
        "total": invoice.total,
        "mandate_rum": mandate.rum if mandate else None,
    }


def invoice_context(invoice: Invoice) -> dict:
    """The PDF's context: the frozen snapshot (debtor, address, lines, totals, letterhead),
    plus the credit notes and payments received since and what is left to pay."""
    parts = frozen_context(invoice) or _live_parts(invoice)
    balance = InvoiceBalance.of(invoice)
    notes = sorted(invoice.credit_notes, key=lambda n: (n.issued_on, n.id))
    return {
        "invoice": invoice,
        "debtor": parts["debtor"],
        "town": parts["town"],
        "invoice_total": parts["total"],
        "month": month_label(invoice.period_start),
        "lines": parts["lines"],
        "credit_notes": [credit_note_view(note) for note in notes],
        "payments": sorted(invoice.payments, key=lambda p: (p.received_on, p.id)),
        "method_labels": PaymentMethod.labels(),
        "credited": balance.credited,
        "paid": balance.paid,
        "due": balance.due,
        "cancelled": balance.state() == InvoiceState.cancelled,
        "mandate_rum": parts["mandate_rum"],
        "euros": euros,
        "date_fr": date_fr,
    }


def render_invoice_html(invoice: Invoice) -> str:
    with force_locale("fr"):
        template = current_app.jinja_env.get_template("pdf/invoice.html")
        return template.render(invoice_context(invoice))


def _pdf(html: str, what: str) -> bytes:
    buffer = io.BytesIO()
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8")
    if result.err:
        raise PdfError(f"PDF {what} : {result.err} erreur(s)")
    return buffer.getvalue()


def invoice_pdf(invoice: Invoice) -> bytes:
    """Render the invoice's PDF from its snapshot: debtor, address, lines, totals and
    letterhead never change; the credit notes, payments and amount left to pay are shown
    as they stand when it is rendered (at issue: see `issued_invoice_pdf`)."""
    return _pdf(render_invoice_html(invoice), f"de la facture {invoice.number}")


def credit_note_filename(note: CreditNote) -> str:
    return f"avoir-{note.number}.pdf"


def credit_note_pdf(note: CreditNote) -> bytes:
    """Render the credit note from its frozen snapshot (its amount printed negative)."""
    frozen = load(note.snapshot) or {}
    invoice = note.invoice
    view = SimpleNamespace(
        number=note.number, issued_on=note.issued_on, amount=note.amount, reason=note.reason,
        invoice_number=invoice.number, invoice_issued_on=invoice.issued_on)
    if frozen:
        view.number, view.reason = frozen["number"], frozen["reason"]
        view.amount = credit_note_view(note).amount
        view.invoice_number = frozen["invoice_number"]
    debtor = SimpleNamespace(**frozen["debtor"]) if frozen else _live_parts(invoice)["debtor"]
    with force_locale("fr"):
        html = current_app.jinja_env.get_template("pdf/credit_note.html").render(
            note=view, debtor=debtor, town=frozen.get("town") or town_details(),
            euros=euros, date_fr=date_fr)
    return _pdf(html, f"de l'avoir {note.number}")


def issued_invoice_pdf(invoice: Invoice) -> bytes:
    """What every download serves: the PDF rendered once at issue, as stored."""
    return stored_or_render("invoice", invoice.id, lambda: invoice_pdf(invoice))


def issued_credit_note_pdf(note: CreditNote) -> bytes:
    return stored_or_render("credit_note", note.id, lambda: credit_note_pdf(note))
