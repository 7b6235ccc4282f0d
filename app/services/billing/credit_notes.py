"""Credit notes (avoirs): the only correction of an issued invoice, which never changes.

A credit note takes an amount (at most the invoice's total less earlier credit notes) and a
reason; it is numbered AV-YYYY-NNNNNN in its own gap-free sequence (year of issue). The
invoice's amount due decreases; fully credited, it shows « Annulée par avoir ».
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import CreditNote, Invoice
from ..errors import CommandError
from ..money import AmountError, InvoiceBalance
from ..money import parse_amount as parse_money
from ..payments.balance import refresh_invoice_state
from .fr import euros, today
from .numbering import CREDIT_NOTE_PREFIX, next_number
from .pdf_tasks import queue_pdfs
from .snapshot import freeze_credit_note


class CreditNoteError(CommandError, ValueError):
    """Refused (amount, reason): nothing was written."""


def parse_amount(value: str | Decimal | None) -> Decimal:
    """'12,50' or '12.50' → Decimal('12.50'); more than two decimals is refused."""
    try:
        return parse_money(value)
    except AmountError as refused:
        raise CreditNoteError(refused.messages, refused.fields) from refused


def _locked_invoice(invoice_id: int) -> Invoice:
    """The invoice, locked: two credit notes at once cannot both take the last euros."""
    invoice = db.session.scalars(
        select(Invoice).where(Invoice.id == invoice_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if invoice is None:
        raise CreditNoteError(_("Facture introuvable."))
    db.session.refresh(invoice, ["credit_notes", "payments"])
    return invoice


def create_credit_note(invoice_id: int, amount: str | Decimal, reason: str,
                       user_id: int | None = None, issued_on: dt.date | None = None,
                       commit: bool = True) -> CreditNote:
    amount = parse_amount(amount)
    reason = (reason or "").strip()
    if amount <= 0:
        raise CreditNoteError(_("Le montant d'un avoir doit être positif."))
    if not reason:
        raise CreditNoteError(_("Indiquez le motif de l'avoir."))
    try:
        invoice = _locked_invoice(invoice_id)
        limit = InvoiceBalance.of(invoice).creditable
        if amount > limit:
            raise CreditNoteError(_(
                "L'avoir ne peut dépasser %(limit)s (total de la facture moins les avoirs "
                "déjà émis).", limit=euros(limit)))
        issued_on = issued_on or today()
        note = CreditNote(number=next_number(CREDIT_NOTE_PREFIX, issued_on.year),
                          invoice=invoice, family_id=invoice.family_id, issued_on=issued_on,
                          amount=amount, reason=reason, created_by_id=user_id)
        db.session.add(note)
        freeze_credit_note(note)
        # One rule for the invoice's state (credit notes, payments, online attempts).
        refresh_invoice_state(invoice)
        if commit:
            db.session.commit()
            queue_pdfs("credit_note", [note])
    except Exception:
        if commit:
            db.session.rollback()
        raise
    return note
