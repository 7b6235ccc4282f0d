"""A billing run's invoice mails as a background job (app.services.jobs), never inside
the run: the run records ONE `invoice_mails` job in its own transaction (no job, hence no
mail, if it rolls back) and hands it to a worker after its commit (run.py `bill_month`).

The job renders and inserts the outbox rows (notify.py `mail_invoices`, in bulk) by chunks
of invoices in number order, each chunk in its own transaction with a checkpoint of the
last number it mailed: a retry, a stale job taken again or a second dispatch goes on from
there and never queues a mail twice. After each chunk's commit `app.services.mail` hands
the chunk's mails to the workers. Its progress is the invoices handled out of the run's.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...models import Invoice
from ..errors import transaction
from ..jobs import JobOutcome, JobRun, record_job
from .notify import mail_invoices, recipients

INVOICE_MAILS_JOB = "invoice_mails"
CHUNK = 500  # invoices (one per family) per transaction

_COLUMNS = (Invoice.number, Invoice.family_id, Invoice.period_start, Invoice.total,
            Invoice.due_on, Invoice.direct_debit)


def record_invoice_mails(month: dt.date, first: str, last: str, count: int,
                         user_id: int | None = None) -> int:
    """In the run's transaction (not committed): the job mailing the run's invoices, whose
    numbers run from `first` to `last` (a run's numbers are contiguous: it holds the
    sequence). Returns the job's id, to dispatch after the commit."""
    return record_job(INVOICE_MAILS_JOB, {"month": month.isoformat(), "first": first,
                                          "last": last, "count": count},
                      key=f"invoice-mails:{month:%Y-%m}:{first}-{last}", user_id=user_id).id


def _run_invoices(params: dict):
    return (Invoice.period_start == dt.date.fromisoformat(params["month"]),
            Invoice.number.between(params["first"], params["last"]))


def invoice_mails_job(run: JobRun) -> JobOutcome:
    where = _run_invoices(run.params)
    total = db.session.scalar(select(func.count()).select_from(Invoice).where(*where))
    state = {"after": None, "invoices": 0, "mails": 0, **run.saved}
    run.progress(state["invoices"], total)
    while True:
        query = select(*_COLUMNS).where(*where).order_by(Invoice.number).limit(CHUNK)
        if state["after"]:
            query = query.where(Invoice.number > state["after"])
        invoices = [dict(row) for row in db.session.execute(query).mappings()]
        if not invoices:
            break
        with transaction():  # the chunk's mails and its checkpoint, committed together
            mails = mail_invoices(invoices, recipients([i["family_id"] for i in invoices]))
            state = {"after": invoices[-1]["number"],
                     "invoices": state["invoices"] + len(invoices),
                     "mails": state["mails"] + mails}
            run.checkpoint(**state)
        run.progress(state["invoices"], total)
    with force_locale("fr"):
        summary = _("%(mails)d courriels de facture mis en file pour %(invoices)d factures.",
                    mails=state["mails"], invoices=state["invoices"])
    return JobOutcome(summary, state)
