"""Issuing a chunk of invoices in bulk (the billing run, run.py): numbers taken together
from the gap-free sequence, invoices and lines inserted in a few statements, each
invoice's snapshot written at once; a family's credit offered against its new invoice.
The statements do not grow with the number of invoices, apart from bulk batches. The
families' mails are not written here: the run records a job for them (mail_jobs.py)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import insert, or_, select

from ...extensions import db
from ...models import Invoice, InvoiceLine, InvoiceState, SepaMandate
from ..payments.balance import credit_balances
from ..payments.credits import allocate_credits
from .drafts import DraftInvoice, LineLabels
from .numbering import Sequence
from .snapshot import debtors, snapshot_of, town_details


@dataclass
class Issued:
    """What a run issued so far (its summary needs nothing reloaded)."""

    ids: list[int] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    first: str | None = None
    last: str | None = None


def mandates_on(family_ids: list[int], on: dt.date) -> tuple[set[int], dict[int, str]]:
    """Families debited on `on` (a mandate signed and in force), and each family's mandate
    reference (RUM) as its invoice prints it (the latest signed mandate not revoked)."""
    rows = db.session.execute(
        select(SepaMandate.family_id, SepaMandate.rum, SepaMandate.signed_on)
        .where(SepaMandate.family_id.in_(family_ids), SepaMandate.active.is_(True),
               or_(SepaMandate.revoked_on.is_(None), SepaMandate.revoked_on > on))
        .order_by(SepaMandate.signed_on)).all()
    debited = {family_id for family_id, _rum, signed in rows if signed <= on}
    rums = {family_id: rum for family_id, rum, _signed in rows}  # the latest wins
    return debited, rums


def issue_chunk(drafts: list[DraftInvoice], month: dt.date, issued_on: dt.date,
                due_on: dt.date, numbers: Sequence, issued: Issued) -> None:
    if not drafts:
        return
    ids = [d.family_id for d in drafts]
    debited, rums = mandates_on(ids, issued_on)
    blocks, town, labels = debtors(ids), town_details(), LineLabels(drafts)
    taken = numbers.take_many(len(drafts))
    invoices, lines = [], []
    for draft, number, own in zip(drafts, taken, labels.all_line_values(drafts), strict=True):
        values = {"number": number, "family_id": draft.family_id, "period_start": month,
                  "issued_on": issued_on, "due_on": due_on, "total": draft.total,
                  "direct_debit": draft.family_id in debited, "state": InvoiceState.issued}
        rum = rums.get(draft.family_id) if values["direct_debit"] else None
        values["snapshot"] = json.dumps(
            snapshot_of(values, own, town, rum, blocks.get(draft.family_id)),
            ensure_ascii=False)
        invoices.append(values)
        lines.append(own)
        issued.total += draft.total
    # One executemany (batched by the driver), then the ids by number: SQLite cannot
    # return them in order from a bulk insert.
    db.session.execute(insert(Invoice.__table__), invoices)
    by_number = dict(db.session.execute(
        select(Invoice.number, Invoice.id).where(Invoice.number.in_(taken))).all())
    new_ids = [by_number[number] for number in taken]
    db.session.execute(insert(InvoiceLine.__table__), [
        {"invoice_id": invoice_id, **line}
        for invoice_id, own in zip(new_ids, lines, strict=True) for line in own])
    issued.ids += new_ids
    issued.first = issued.first or taken[0]
    issued.last = taken[-1]
    _offer_credits(ids, month, issued_on)


def _offer_credits(family_ids: list[int], month: dt.date, issued_on: dt.date) -> None:
    """A family's credit (trop-perçu) is offered against its new invoice at once: only the
    families with a credit are loaded."""
    with_credit = [family_id for family_id, amount in credit_balances(family_ids).items()
                   if amount > 0]
    if not with_credit:
        return
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.family_id.in_(with_credit), Invoice.period_start == month)).all()
    allocate_credits(sorted(invoices, key=lambda i: i.number), issued_on)
