"""Reminder mails about unpaid invoices (relances): one mail per family listing its invoices
still to pay, recorded per invoice (PaymentReminder) so staff see when they last reminded."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Family, Invoice, PaymentReminder
from ..billing.fr import euros
from ..calendar import PARIS, local_now
from ..mail import queue_mail
from .balance import ZERO, load_invoices, statuses


def family_address(family: Family) -> str | None:
    return family.email or next((g.email for g in family.guardians if g.email), None)


def reminder_addresses(family: Family) -> list[str]:
    """The billing contact when the family named one, else every guardian (each parent of
    the household is told); the family's own address when no guardian has one."""
    billing = family.billing_guardian
    if billing is not None and billing.family_id == family.id and billing.email:
        return [billing.email.strip()]
    found: list[str] = []
    for guardian in sorted(family.guardians, key=lambda g: g.id or 0):
        email = (guardian.email or "").strip()
        if email and email.lower() not in {a.lower() for a in found}:
            found.append(email)
    if not found and family.email:
        found.append(family.email.strip())
    return found


def portal_utcnow() -> dt.datetime:
    """The portal's clock (PORTAL_FIXED_NOW, else now), as naive UTC like every timestamp."""
    return local_now().replace(tzinfo=PARIS).astimezone(dt.UTC).replace(tzinfo=None)


def send_reminders(invoice_ids: list[int], user_id: int | None = None,
                   portal_url: str = "") -> int:
    """Queue one reminder mail per family for those of `invoice_ids` still unpaid (direct
    debits excepted: the bank collects them); commits. Returns the number of mails."""
    query = db.session.query(Invoice).filter(Invoice.id.in_(invoice_ids or [-1]))
    by_family = defaultdict(list)
    for status in statuses(load_invoices(query.order_by(Invoice.due_on, Invoice.number))):
        if status.payable_online:  # unpaid, not being paid now, not debited by the bank
            by_family[status.invoice.family_id].append(status)
    sent, now = 0, portal_utcnow()
    for family_id, items in by_family.items():
        family = db.session.get(Family, family_id)
        total = sum((s.outstanding for s in items), ZERO)
        mails = [queue_mail(
            address,
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
        ) for address in reminder_addresses(family)]
        if not any(mails):
            continue
        for status in items:
            db.session.add(PaymentReminder(invoice_id=status.invoice.id, family_id=family_id,
                                           amount_due=status.outstanding, sent_by_id=user_id,
                                           sent_at=now))
        sent += 1
    db.session.commit()
    return sent
