"""Credit notes (avoirs): the only correction of an issued invoice, which never changes.

A credit note takes an amount (at most the invoice's total less earlier credit notes) and a
reason; it is numbered AV-YYYY-NNNNNN in its own gap-free sequence (year of issue). The
invoice's amount due decreases; fully credited, it shows « Annulée par avoir ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import CreditNote, Invoice
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from ..money import AmountError, InvoiceBalance
from ..money import parse_amount as parse_money
from ..payments.balance import refresh_invoice_state
from .fr import euros, today
from .numbering import CREDIT_NOTE_PREFIX, next_number
from .pdf_tasks import queue_pdfs
from .snapshot import freeze_credit_note


class CreditNoteError(CommandError, ValueError):
    """Refused (amount, reason): nothing was written."""


@dataclass
class CreateCreditNote(BaseCommand):
    """Staff issue a credit note of `amount` (typed by staff, `12,50`, or a Decimal) on an
    invoice, with its reason. `run()` returns the credit note."""

    invoice_id: int
    amount: str | Decimal | None
    reason: str | None
    user_id: int | None = None
    issued_on: dt.date | None = None

    def validate(self) -> tuple[Decimal, str]:
        """The amount and the reason, or every problem of both in one CreditNoteError (the
        limit of the invoice is checked in `run()`, on the locked invoice)."""
        errors = ErrorCollector()
        amount = None
        try:
            amount = parse_money(self.amount)
        except AmountError as refused:
            for message in refused.messages:
                errors.add(message, "amount")
        else:
            if amount <= 0:
                errors.add(_("Le montant d'un avoir doit être positif."), "amount")
        reason = (self.reason or "").strip()
        if not reason:
            errors.add(_("Indiquez le motif de l'avoir."), "reason")
        errors.raise_if_any(CreditNoteError)
        return amount, reason

    def run(self) -> CreditNote:
        amount, reason = self.validate()
        with transaction():
            invoice = _locked_invoice(self.invoice_id)
            limit = InvoiceBalance.of(invoice).creditable
            if amount > limit:
                message = _("L'avoir ne peut dépasser %(limit)s (total de la facture moins "
                            "les avoirs déjà émis).", limit=euros(limit))
                raise CreditNoteError(message, {"amount": message})
            issued_on = self.issued_on or today()
            note = CreditNote(number=next_number(CREDIT_NOTE_PREFIX, issued_on.year),
                              invoice=invoice, family_id=invoice.family_id,
                              issued_on=issued_on, amount=amount, reason=reason,
                              created_by_id=self.user_id)
            db.session.add(note)
            freeze_credit_note(note)
            # One rule for the invoice's state (credit notes, payments, online attempts).
            refresh_invoice_state(invoice)
        queue_pdfs("credit_note", [note])  # after the commit: rendered once, by a worker
        return note


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
