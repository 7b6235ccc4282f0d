"""Unpaid threshold: a town setting (PORTAL_UNPAID_BLOCK_AMOUNT, off when empty) blocks new
bookings while a family's unpaid balance past due exceeds an amount; a per-family exception
(Family.unpaid_block_exempt) lifts it; the parent sees why and whom to call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _

from ...extensions import db
from ...models import Family, Invoice
from ..money import ZERO, InvoiceBalance, euros
from .balance import load_invoices, unpaid_query
from .credits import credit_balance


def threshold() -> Decimal | None:
    raw = str(current_app.config.get("PORTAL_UNPAID_BLOCK_AMOUNT") or "").strip()
    if not raw:
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def overdue_unpaid(family_id: int, today: dt.date) -> Decimal:
    """What the family owes on invoices past their due date, less its credit."""
    invoices = load_invoices(unpaid_query(today).filter(Invoice.family_id == family_id))
    owed = sum((InvoiceBalance.of(invoice).due for invoice in invoices), ZERO)
    return max(owed - credit_balance(family_id), ZERO)


def booking_block(family_id: int, today: dt.date) -> str | None:
    """Why the family may not book now (French, with whom to call), or None."""
    limit = threshold()
    if limit is None:
        return None
    exempt = db.session.query(Family.unpaid_block_exempt).filter(
        Family.id == family_id).scalar()
    if exempt:
        return None
    owed = overdue_unpaid(family_id, today)
    if owed <= limit:
        return None
    config = current_app.config
    return _(
        "Nouvelles réservations suspendues : %(owed)s de factures échues restent à payer "
        "(au-delà de %(limit)s). Réglez-les dans « Finances » ou appelez le service "
        "facturation au %(phone)s (%(email)s).",
        owed=euros(owed), limit=euros(limit), phone=config.get("PORTAL_BILLING_PHONE", ""),
        email=config.get("PORTAL_BILLING_EMAIL", ""))
