"""Issued invoices for the demo's complete months, through the real billing engine
(app.services.billing.run.bill_month: tariffs by QF, attendance, gap-free FAC numbers), and
the payments families made.

The engine writes into the demo's transaction (commit=False) and mails nobody
(notify=False); it skips families already invoiced for a month, so a second run adds none.
Invoices announced as SEPA direct debits are left to the manager's next debit batch.
"""

from __future__ import annotations

import datetime as dt
import random

from ..extensions import db
from ..models import (
    BillingRun,
    BillingRunState,
    Invoice,
    InvoiceState,
    Job,
    JobState,
    Payment,
    PaymentMethod,
)
from ..services.billing.pricing import french
from ..services.billing.run import bill_month, run_summary
from .days import Period, first_working_day, next_month
from .families import Built
from .town import Town

_METHODS = (PaymentMethod.card, PaymentMethod.cheque, PaymentMethod.transfer, PaymentMethod.cash)
_METHOD_WEIGHTS = (55, 25, 15, 5)


def _payment(invoice: Invoice, rng: random.Random, share: float, today: dt.date,
             agent_id: int | None) -> None:
    received = invoice.issued_on + dt.timedelta(days=rng.randint(2, 20))
    if rng.random() > share or received >= today:
        return
    method = rng.choices(_METHODS, _METHOD_WEIGHTS)[0]
    reference = {PaymentMethod.card: f"PAYFIP-{invoice.number}",
                 PaymentMethod.cheque: f"Chèque n° {rng.randint(1000000, 9999999)}",
                 PaymentMethod.transfer: f"VIR {invoice.number}"}.get(method)
    db.session.add(Payment(family_id=invoice.family_id, invoice=invoice, amount=invoice.total,
                           method=method, received_on=received, reference=reference,
                           recorded_by_id=None if method == PaymentMethod.card else agent_id))
    invoice.state = InvoiceState.paid  # paid in full: what refresh_invoice_state would set


def _record_run(result, issued: dt.date, manager_id: int | None) -> None:
    """The latest month's run as the « Facturation » page shows it: its record and its
    background job, done, with the French report (once: the job's key is the month's)."""
    key = f"demo-billing:{result.month:%Y-%m}"
    if not result.count or db.session.query(Job.id).filter(Job.key == key).first():
        return
    at = dt.datetime.combine(issued, dt.time(7, 30))
    first, last = result.numbers
    run = BillingRun(month=result.month, issued_on=issued, state=BillingRunState.done,
                     families_total=result.count, families_done=result.count,
                     invoices_created=result.count, amount_total=result.total,
                     first_number=first, last_number=last, started_by_id=manager_id,
                     created_at=at, started_at=at, finished_at=at + dt.timedelta(seconds=4))
    job = Job(kind="billing", key=key, state=JobState.done, params={}, done=result.count,
              total=result.count, summary=french(run_summary, run), attempts=1,
              result={"invoices": result.count, "total": str(result.total)},
              started_by_id=manager_id, created_at=at, started_at=at,
              finished_at=run.finished_at)
    db.session.add_all([run, job])
    db.session.flush()
    run.job_id = job.id


def create_invoices(built: list[Built], town: Town, period: Period,
                    agent_id: int | None, manager_id: int | None = None) -> int:
    index = {item.family.id: item.spec.index for item in built}
    count = 0
    for position, month in enumerate(period.months):
        issued = first_working_day(next_month(month))
        # The older month is mostly paid by now; the latest one only in part.
        share = 0.85 if position < len(period.months) - 1 else 0.45
        result = bill_month(month, issued, commit=False, notify=False)
        if position == len(period.months) - 1:
            _record_run(result, issued, manager_id)
        for invoice in result.invoices:
            count += 1
            if invoice.direct_debit:
                continue
            seed = index.get(invoice.family_id, f"f{invoice.family_id}")
            rng = random.Random(f"portail-demo-payment-{seed}-{month}")
            _payment(invoice, rng, share, period.today, agent_id)
    return count
