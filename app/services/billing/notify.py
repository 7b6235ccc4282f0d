"""The family's mail when an invoice is issued: queued in the outbox by the billing run's
`invoice_mails` job (mail_jobs.py), recorded in the run's transaction and run after its
commit (never for a run that rolled back); sent by the workers after the job's commits."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Family, Guardian, Invoice
from ..mail import queue_mail
from ..mail_bulk import queue_mails
from .fr import date_fr, euros, month_label, of_month

_CHUNK = 500


def recipients(family_ids: list[int]) -> dict[int, list[str]]:
    """Each family's addresses: its guardians' (one login each), else the family's own."""
    result: dict[int, list[str]] = defaultdict(list)
    ids = sorted(set(family_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        rows = db.session.execute(select(Guardian.family_id, Guardian.email)
                                  .where(Guardian.family_id.in_(chunk)).order_by(Guardian.id))
        for family_id, email in rows:
            if email and email.strip().lower() not in {a.lower() for a in result[family_id]}:
                result[family_id].append(email.strip())
        rows = db.session.execute(select(Family.id, Family.email).where(Family.id.in_(chunk)))
        for family_id, email in rows:
            if not result[family_id] and email:
                result[family_id].append(email.strip())
    return result


def mail_invoice(invoice: Invoice, addresses: list[str]) -> None:
    month = month_label(invoice.period_start)
    subject = _l("Votre facture %(of_month)s (%(number)s)", of_month=of_month(invoice.period_start),
                 number=invoice.number)
    for address in addresses:
        queue_mail(
            address, subject, "invoice_issued", family_id=invoice.family_id,
            kind="invoice_issued", number=invoice.number, month=month,
            of_month=of_month(invoice.period_start),
            total=euros(invoice.total), due_on=date_fr(invoice.due_on),
            direct_debit=bool(invoice.direct_debit),
        )


def mail_invoices(invoices: list[dict], addresses: dict[int, list[str]]) -> int:
    """The mails of invoices issued in bulk (column values), queued in bulk: one shape per
    month and payment mode, the number, total and due date put in each."""
    months: dict = {}
    mails = []
    for invoice in invoices:
        period = invoice["period_start"]
        if period not in months:
            with force_locale("fr"):
                # The subject's number goes in per mail (queue_mails).
                months[period] = (month_label(period), of_month(period), str(_l(
                    "Votre facture %(of_month)s (%(number)s)", of_month=of_month(period),
                    number="%(number)s")))
        month, of, subject = months[period]
        context = {"month": month, "of_month": of,
                   "direct_debit": bool(invoice["direct_debit"])}
        varying = {"number": invoice["number"], "total": euros(invoice["total"]),
                   "due_on": date_fr(invoice["due_on"])}
        mails += [{"to": address, "subject": subject, "template": "invoice_issued",
                   "family_id": invoice["family_id"], "kind": "invoice_issued",
                   "context": context, "varying": varying}
                  for address in addresses.get(invoice["family_id"], [])]
    return queue_mails(mails)
