"""Issued invoices never change: at issue, an invoice stores everything its PDF shows (the
debtor, a named guardian — the family's billing contact, else its first guardian —, the
address, the lines, unit prices, totals, due date, the town's letterhead). The PDF is
rendered from that snapshot: after an address, a tariff or a letterhead change the same
document comes out. A credit note freezes what it shows the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import or_, select

from ...extensions import db
from ...models import CreditNote, Family, Guardian, Invoice, SepaMandate
from ..money import to_money

VERSION = 1


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


def debtor_name(family: Family) -> str:
    """The guardian the invoice names: the billing contact, else the first guardian."""
    guardian: Guardian | None = family.billing_guardian
    if guardian is None or guardian.family_id != family.id:
        guardian = (
            db.session.query(Guardian)
            .filter(Guardian.family_id == family.id)
            .order_by(Guardian.id)
            .first()
        )
    if guardian is None:
        return family.name
    return f"{guardian.first_name} {guardian.last_name}".strip()


def _debtor(family: Family, guardian: Guardian | None = None) -> dict:
    name = (f"{guardian.first_name} {guardian.last_name}".strip() if guardian
            else debtor_name(family))
    return {
        "name": name,
        "family_name": family.name,
        "account_code": family.account_code,
        "address": family.address or "",
        "postal_code": family.postal_code or "",
        "city": family.city or "",
    }


def debtors(family_ids: list[int]) -> dict[int, dict]:
    """family id → its debtor block, for a chunk of families in two queries (columns
    only: a billing run reads thousands)."""
    families = db.session.execute(
        select(Family.id, Family.name, Family.account_code, Family.address,
               Family.postal_code, Family.city, Family.billing_guardian_id)
        .where(Family.id.in_(family_ids))).all()
    guardians: dict[int, list[tuple]] = {}
    for guardian_id, family_id, first, last in db.session.execute(
            select(Guardian.id, Guardian.family_id, Guardian.first_name, Guardian.last_name)
            .where(Guardian.family_id.in_(family_ids)).order_by(Guardian.id)):
        guardians.setdefault(family_id, []).append((guardian_id, first, last))
    result = {}
    for family_id, name, code, address, postal_code, city, billing_id in families:
        own = guardians.get(family_id, [])
        chosen = next((g for g in own if g[0] == billing_id), None) or (own[0] if own else None)
        result[family_id] = {
            # The billing contact, else the first guardian, else the family's name.
            "name": f"{chosen[1]} {chosen[2]}".strip() if chosen else name,
            "family_name": name, "account_code": code, "address": address or "",
            "postal_code": postal_code or "", "city": city or "",
        }
    return result


def invoice_snapshot(invoice: Invoice, town: dict, mandate_rum: str | None,
                     debtor: dict | None = None) -> dict:
    lines = sorted(invoice.lines, key=lambda line: line.id or 0)
    values = {name: getattr(invoice, name) for name in (
        "number", "issued_on", "due_on", "period_start", "total", "direct_debit")}
    return snapshot_of(values, [{"label": line.label, "quantity": line.quantity,
                                 "unit_price": line.unit_price, "amount": line.amount}
                                for line in lines],
                       town, mandate_rum, debtor or _debtor(invoice.family))


def snapshot_of(invoice: dict, lines: list[dict], town: dict, mandate_rum: str | None,
                debtor: dict) -> dict:
    """The snapshot of an invoice given as column values (a run issues them in bulk)."""
    return {
        "version": VERSION,
        "number": invoice["number"],
        "issued_on": invoice["issued_on"].isoformat(),
        "due_on": invoice["due_on"].isoformat(),
        "period_start": invoice["period_start"].isoformat(),
        "total": str(to_money(invoice["total"])),
        "direct_debit": bool(invoice["direct_debit"]),
        "mandate_rum": mandate_rum,
        "debtor": debtor,
        "town": town,
        "lines": [
            {
                "label": line["label"],
                "quantity": line["quantity"],
                "unit_price": str(to_money(line["unit_price"])),
                "amount": str(to_money(line["amount"])),
            }
            for line in lines
        ],
    }


def freeze_invoices(invoices: list[Invoice]) -> None:
    """Write each snapshot once, when the invoices are issued (never again)."""
    invoices = [invoice for invoice in invoices if not invoice.snapshot]
    if not invoices:
        return
    town = town_details()
    blocks = debtors(sorted({invoice.family_id for invoice in invoices}))
    for invoice in invoices:
        mandate = mandate_of(invoice) if invoice.direct_debit else None
        invoice.snapshot = json.dumps(
            invoice_snapshot(invoice, town, mandate.rum if mandate else None,
                             blocks.get(invoice.family_id)),
            ensure_ascii=False,
        )


def freeze_credit_note(note: CreditNote) -> None:
    if note.snapshot:
        return
    invoice = note.invoice
    note.snapshot = json.dumps(
        {
            "version": VERSION,
            "number": note.number,
            "invoice_number": invoice.number,
            "invoice_issued_on": invoice.issued_on.isoformat(),
            "issued_on": note.issued_on.isoformat(),
            "amount": str(to_money(note.amount)),
            "reason": note.reason,
            "debtor": _frozen_debtor(invoice),
            "town": town_details(),
        },
        ensure_ascii=False,
    )


def _frozen_debtor(invoice: Invoice) -> dict:
    """A credit note names the invoice's debtor as the invoice did."""
    frozen = load(invoice.snapshot)
    return frozen["debtor"] if frozen else _debtor(invoice.family, None)


def load(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclass
class FrozenLine:
    label: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


def frozen_context(invoice: Invoice) -> dict | None:
    """The parts of the PDF's context the snapshot fixes (None: an invoice issued before
    snapshots existed, rendered from its rows)."""
    frozen = load(invoice.snapshot)
    if frozen is None:
        return None
    debtor = frozen["debtor"]
    return {
        "debtor": SimpleNamespace(**debtor),
        "town": frozen["town"],
        "lines": [
            FrozenLine(line["label"], int(line["quantity"]), Decimal(line["unit_price"]),
                       Decimal(line["amount"]))
            for line in frozen["lines"]
        ],
        "total": Decimal(frozen["total"]),
        "mandate_rum": frozen.get("mandate_rum"),
    }


def credit_note_view(note: CreditNote) -> SimpleNamespace:
    """What the invoice PDF shows of a credit note: its frozen text when it has one."""
    frozen = load(note.snapshot) or {}
    return SimpleNamespace(
        number=frozen.get("number", note.number),
        issued_on=note.issued_on,
        amount=Decimal(frozen["amount"]) if "amount" in frozen else note.amount,
        reason=frozen.get("reason", note.reason),
    )
