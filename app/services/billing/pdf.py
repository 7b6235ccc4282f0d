"""The invoice as a PDF (xhtml2pdf): the town's letterhead, the family's address, the lines,
credit notes and payments, what is left to pay, and how to pay it.

`invoice_pdf(invoice) -> bytes` is what every download route calls (staff and parents);
the caller checks who may download it. Always in French: it is the town's official
document, whatever language the reader's portal uses.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from flask import Response, current_app
from flask_babel import force_locale
from sqlalchemy import or_, select
from xhtml2pdf import pisa

from ...extensions import db
from ...models import Invoice, InvoiceState, PaymentMethod, SepaMandate
from ..money import InvoiceBalance
from .fr import date_fr, euros, month_label
from .snapshot import credit_note_view, debtor_name, frozen_context


class PdfError(RuntimeError):
    pass


def pdf_filename(invoice: Invoice) -> str:
    return f"facture-{invoice.number}.pdf"


def town_details() -> dict:
    """The structure's letterhead and contacts, from settings (invoices, attestations)."""
    config = current_app.config
    address = [line.strip() for line in (config.get("PORTAL_TOWN_ADDRESS") or "").split("|")]
    return {
        "name": config.get("PORTAL_TOWN_NAME", ""),
        "address": [line for line in address if line],
        "siret": config.get("PORTAL_TOWN_SIRET") or "",
        "phone": config.get("PORTAL_SERVICE_PHONE") or "",
        "email": config.get("PORTAL_SERVICE_EMAIL") or "",
        "billing_phone": config.get("PORTAL_BILLING_PHONE") or "",
        "billing_email": config.get("PORTAL_BILLING_EMAIL") or "",
        "payee": config.get("PORTAL_CHEQUE_PAYEE") or "Trésor public",
        "portal": config.get("APP_NAME") or "Portail Famille",
    }


def mandate_of(invoice: Invoice) -> SepaMandate | None:
    if not invoice.direct_debit:
        return None
    return db.session.scalars(
        select(SepaMandate).where(
            SepaMandate.family_id == invoice.family_id, SepaMandate.active.is_(True),
            or_(SepaMandate.revoked_on.is_(None), SepaMandate.revoked_on > invoice.issued_on))
        .order_by(SepaMandate.signed_on.desc())
    ).first()


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
        template = current_app.jinja_env.get_template("finance/invoice_pdf.html")
        return template.render(invoice_context(invoice))


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice's PDF, from its snapshot: debtor, address, lines, totals and letterhead
    never change; the credit notes, payments and amount left to pay are shown as they
    stand today."""
    buffer = io.BytesIO()
    result = pisa.CreatePDF(render_invoice_html(invoice), dest=buffer, encoding="utf-8")
    if result.err:
        raise PdfError(f"PDF de la facture {invoice.number} : {result.err} erreur(s)")
    return buffer.getvalue()


def invoice_pdf_response(invoice: Invoice, inline: bool = False) -> Response:
    """The invoice's PDF as a download, for any route that has checked who may read it."""
    disposition = "inline" if inline else "attachment"
    return Response(
        invoice_pdf(invoice), mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{pdf_filename(invoice)}"',
                 "Cache-Control": "private, no-store"},
    )
