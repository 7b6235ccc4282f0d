"""Reminder mails about unpaid invoices (relances): one mail per family listing its invoices
still to pay, recorded per invoice (PaymentReminder) so staff see when they last reminded."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Family, Invoice, PaymentReminder
from ..billing.fr import euros
from ..mail import queue_mail
from .balance import ZERO, load_invoices, statuses


def family_address(family: Family) -> str | None:
    return family.email or next((g.email for g in family.guardians if g.email), None)


def send_reminders(invoice_ids: list[int], user_id: int | None = None,
                   portal_url: str = "") -> int:
    """Queue one reminder mail per family for those of `invoice_ids` still unpaid (direct
    debits excepted: the bank collects them); commits. Returns the number of mails."""
    query = db.session.query(Invoice).filter(Invoice.id.in_(invoice_ids or [-1]))
    by_family = defaultdict(list)
    for status in statuses(load_invoices(query.order_by(Invoice.due_on, Invoice.number))):
        if status.payable_online:  # unpaid, not being paid now, not debited by the bank
            by_family[status.invoice.family_id].append(status)
    sent = 0
    for family_id, items in by_family.items():
        family = db.session.get(Family, family_id)
        total = sum((s.outstanding for s in items), ZERO)
        mail = queue_mail(
            family_address(family),
            _l("Rappel : facture(s) à régler"),
            "payment_reminder",
            family_id=family_id,
            kind="payment_reminder",
            family_name=family.name,
            invoices=[{"number": s.invoice.number,
                       "month": s.invoice.period_start.strftime("%m/%Y"),
                       "due_on": s.invoice.due_on.strftime("%d/%m/%Y"),
                       "amount": euros(s.outstanding)} for s in items],
            total=euros(total),
            portal_url=portal_url,
        )
        if mail is None:
            continue
        for status in items:
            db.session.add(PaymentReminder(invoice_id=status.invoice.id, family_id=family_id,
                                           amount_due=status.outstanding, sent_by_id=user_id))
        sent += 1
    db.session.commit()
    return sent
