"""The monthly billing run (terme échu): one invoice per family account and month.

All or nothing: the month's invoices, their numbers (one gap-free FAC sequence per issue
year), the job that will mail the families and the run's final state are written in ONE
transaction; any failure rolls everything back (no invoice, no number used, no mail job)
and the run records the error. The mails themselves are rendered and queued by that job
(`invoice_mails`, mail_jobs.py), after the commit, never inside the run. Idempotent: a
family already invoiced for the month is skipped, so running a month again creates only
what is missing (nothing, usually).

Progress (families done so far) is written beside the transaction, in its own short
transactions, for the manager's page; on SQLite (one writer at a time) only the start and
the end show.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import AuditLog, BillingRun, BillingRunState, Booking, Family, Invoice, User
from ...models.base import utcnow
from ..errors import CommandError
from ..jobs import dispatch_job, write_beside
from .drafts import FamilyPricingError, grouped_drafts
from .fr import euros, month_label, today
from .issue import Issued, issue_chunk
from .mail_jobs import record_invoice_mails
from .numbering import INVOICE_PREFIX, Sequence
from .pdf_tasks import queue_pdfs
from .pricing import PriceBook, PricingError, billed_clause

log = logging.getLogger(__name__)

_CHUNK = 500  # families per query and per progress step
#: A run left "running" longer than this (its worker died) may be started again.
STALE_AFTER = dt.timedelta(hours=1)

Progress = Callable[[int, int], None]


class BillingError(CommandError, ValueError):
    """The run cannot proceed (month not over, no price…); nothing was written."""


@dataclass
class BillingResult:
    """What a run did, from its own figures: nothing is reloaded to summarise it."""

    month: dt.date
    issued_on: dt.date
    issued: Issued = field(default_factory=Issued)
    already_invoiced: int = 0
    mail_job: int | None = None  # the job mailing the invoices (mail_jobs.py), if any

    @property
    def count(self) -> int:
        return len(self.issued.ids)

    @property
    def total(self) -> Decimal:
        return self.issued.total

    @property
    def numbers(self) -> tuple[str | None, str | None]:
        return self.issued.first, self.issued.last

    @property
    def invoices(self) -> list[Invoice]:
        """The invoices created (loaded on demand, in number order: the demo, tests)."""
        ids = self.issued.ids
        found = [invoice for i in range(0, len(ids), _CHUNK)
                 for invoice in db.session.scalars(
                     select(Invoice).where(Invoice.id.in_(ids[i:i + _CHUNK])))]
        return sorted(found, key=lambda invoice: invoice.number)


def month_start(value: dt.date | str) -> dt.date:
    """'2026-09' or any day of September 2026 → 2026-09-01."""
    if isinstance(value, str):
        try:
            year, month = (int(part) for part in value.strip().split("-")[:2])
            return dt.date(year, month, 1)
        except ValueError as exc:
            raise BillingError(_("Mois attendu au format AAAA-MM, par exemple 2026-09.")) from exc
    return value.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def due_date(issued_on: dt.date) -> dt.date:
    return issued_on + dt.timedelta(days=int(current_app.config.get("PORTAL_INVOICE_DUE_DAYS",
                                                                   30)))


def check_month(month: dt.date, issued_on: dt.date) -> None:
    if issued_on <= month_end(month):
        raise BillingError(_(
            "%(month)s n'est pas encore terminé : ce mois se facture à partir du %(day)s.",
            month=month_label(month).capitalize(),
            day=f"{month_end(month) + dt.timedelta(days=1):%d/%m/%Y}"))


# --- the run itself ---------------------------------------------------------------------


def bill_month(month: dt.date | str, issued_on: dt.date | None = None, *,
               run_id: int | None = None, progress: Progress | None = None,
               commit: bool = True, notify: bool = True,
               user_id: int | None = None) -> BillingResult:
    """Invoice every family with billed days in `month` not invoiced for it yet.

    With commit=False the caller's transaction receives the invoices (the demo builds its
    town in one transaction) and the caller commits or rolls back. notify=False sends no
    mail (demo data, or months taken over from a previous software).

    The mails are never written by the run: it records one `invoice_mails` job in its
    transaction (`result.mail_job`) and, once committed, hands it to a worker, which queues
    them in the outbox for the workers that send them. With commit=False the job stays
    queued: the caller dispatches it after its own commit (`dispatch_job(result.mail_job)`),
    else the beat's `portal.dispatch_queued_jobs` does a few minutes later."""
    month = month_start(month)
    issued_on = issued_on or today()
    check_month(month, issued_on)
    try:
        result = _bill(month, issued_on, progress)
        if notify and result.count:
            result.mail_job = record_invoice_mails(month, *result.numbers, result.count,
                                                   user_id)
        audit_run(result, run_id, user_id)
        if run_id is not None:
            _finish_run(run_id, result)
        if commit:
            db.session.commit()
            queue_pdfs("invoice", result.issued.ids)  # rendered once, on the workers
    except Exception as exc:
        if not commit:
            raise
        db.session.rollback()
        if run_id is not None:
            fail_run(run_id, exc)
        raise
    if commit and result.mail_job:
        dispatch_job(result.mail_job)  # never raises (a broker down: run in this process)
    return result


def _bill(month: dt.date, issued_on: dt.date, progress: Progress | None) -> BillingResult:
    end = month_end(month)
    invoiced = set(db.session.scalars(
        select(Invoice.family_id).where(Invoice.period_start == month)).all())
    family_ids = _families_to_bill(month, end, invoiced)
    report = progress or (lambda done, total: None)
    report(0, len(family_ids))
    # SQLite has one writer: once the run writes, progress waits for its commit.
    live = db.engine.dialect.name != "sqlite"
    book = PriceBook(month, end)
    numbers = Sequence(INVOICE_PREFIX, issued_on.year)
    result = BillingResult(month, issued_on, already_invoiced=len(invoiced))
    due_on = due_date(issued_on)
    # Chunk by chunk, in alphabetical order: a city's month never sits in memory at once.
    for start in range(0, len(family_ids), _CHUNK):
        chunk = family_ids[start:start + _CHUNK]
        drafts = {d.family_id: d for d in grouped_drafts(month, end, chunk, book)}
        ordered = [drafts[i] for i in chunk if i in drafts and drafts[i].lines]
        issue_chunk(ordered, month, issued_on, due_on, numbers, result.issued)
        if live:
            report(start + len(chunk), len(family_ids))
    return result


def _families_to_bill(month: dt.date, end: dt.date, invoiced: set[int]) -> list[int]:
    """Families with billed days not invoiced for the month yet, in the numbering order
    (name, then account)."""
    billed = (select(Booking.family_id)
              .where(Booking.day.between(month, end), billed_clause()).distinct())
    rows = db.session.execute(
        select(Family.id).where(Family.id.in_(billed)).order_by(Family.name, Family.id))
    return [family_id for (family_id,) in rows if family_id not in invoiced]


def audit_run(result: BillingResult, run_id: int | None, user_id: int | None) -> None:
    """One audit entry for the whole run (what, who, totals), in its transaction."""
    if not result.count:
        return
    first, last = result.numbers
    changes = {"month": result.month.isoformat(), "issued_on": result.issued_on.isoformat(),
               "invoices": result.count, "total": str(result.total), "first_number": first,
               "last_number": last, "mail_job": result.mail_job, "run": run_id}
    user = db.session.get(User, user_id) if user_id else None
    db.session.add(AuditLog(user_id=user_id, username=user.username if user else None,
                            action="billing", table_name="invoice",
                            object_id=str(run_id or result.month.isoformat()),
                            changes=json.dumps(changes, ensure_ascii=False)))


# --- the run's record (BillingRun) --------------------------------------------------------


def progress_writer(run_id: int) -> Progress:
    """The run's progress, written beside the billing transaction (app.services.jobs)."""
    def write(done: int, total: int) -> None:
        write_beside(BillingRun, run_id, families_done=done, families_total=total)

    return write


def _finish_run(run_id: int, result: BillingResult) -> None:
    """In the billing transaction: the run is done if and only if its invoices exist."""
    first, last = result.numbers
    db.session.execute(
        update(BillingRun).where(BillingRun.id == run_id).values(
            state=BillingRunState.done, invoices_created=result.count,
            families_done=BillingRun.families_total,
            amount_total=result.total, first_number=first, last_number=last,
            finished_at=utcnow(), error=None)
        .execution_options(synchronize_session=False))


def fail_run(run_id: int, exc: Exception) -> None:
    if isinstance(exc, FamilyPricingError):
        family = db.session.get(Family, exc.family_id)
        message = f"{family}: {exc}" if family else str(exc)
    elif isinstance(exc, BillingError | PricingError):
        message = str(exc)
    else:
        log.exception("Facturation %s : échec", run_id)
        message = f"{type(exc).__name__}: {exc}"
    with Session(db.engine) as session:
        session.execute(
            update(BillingRun)
            .where(BillingRun.id == run_id, BillingRun.state != BillingRunState.done)
            .values(state=BillingRunState.failed, error=message[:4000], finished_at=utcnow())
            .execution_options(synchronize_session=False))
        session.commit()


def start_run(month: dt.date | str, issued_on: dt.date | None = None,
              user_id: int | None = None) -> BillingRun:
    """Record a run to do (committed). Refused while a run of the same month is underway."""
    month = month_start(month)
    issued_on = issued_on or today()
    check_month(month, issued_on)
    if active_run(month) is not None:
        raise BillingError(_("Une facturation est déjà en cours pour %(month)s.",
                             month=month_label(month)))
    run = BillingRun(month=month, issued_on=issued_on, state=BillingRunState.pending,
                     started_by_id=user_id)
    db.session.add(run)
    db.session.commit()
    return run


def active_run(month: dt.date) -> BillingRun | None:
    """The month's run waiting or underway (one lost for an hour no longer counts)."""
    recent = utcnow() - STALE_AFTER
    return db.session.scalars(
        select(BillingRun).where(
            BillingRun.month == month,
            ((BillingRun.state == BillingRunState.pending) & (BillingRun.created_at > recent))
            | ((BillingRun.state == BillingRunState.running) & (BillingRun.started_at > recent)))
    ).first()


def _claim(run_id: int) -> BillingRun | None:
    """Take a pending run (or one whose worker died): a duplicate task gets nothing."""
    stale = utcnow() - STALE_AFTER
    with Session(db.engine) as session:
        claimed = session.execute(
            update(BillingRun)
            .where(BillingRun.id == run_id,
                   or_(BillingRun.state == BillingRunState.pending,
                       (BillingRun.state == BillingRunState.running)
                       & (BillingRun.started_at < stale)))
            .values(state=BillingRunState.running, started_at=utcnow(), families_done=0)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
    if not claimed:
        return None
    return db.session.get(BillingRun, run_id, populate_existing=True)


def execute_run(run_id: int, progress: Progress | None = None) -> str:
    """Do a recorded run (the job's body). Returns its final state."""
    run = _claim(run_id)
    if run is None:
        return "skipped"
    month, issued_on, user_id = run.month, run.issued_on, run.started_by_id
    db.session.rollback()  # start the billing transaction afresh
    try:
        bill_month(month, issued_on, run_id=run_id, user_id=user_id,
                   progress=progress or progress_writer(run_id))
    except Exception:
        return BillingRunState.failed.value
    return BillingRunState.done.value


def summary(result: BillingResult) -> str:
    first, last = result.numbers
    text = _summary(result.month, result.count, result.total, first, last)
    if result.mail_job:
        text += " " + _("Courriels de facture : mis en file par un travail en arrière-plan.")
    if result.already_invoiced:
        text += " " + ngettext("%(num)d famille déjà facturée pour ce mois.",
                               "%(num)d familles déjà facturées pour ce mois.",
                               result.already_invoiced)
    return text


def run_summary(run: BillingRun) -> str:
    """The report of a recorded run, from its record (nothing reloaded)."""
    return _summary(run.month, run.invoices_created, run.amount_total or Decimal("0.00"),
                    run.first_number, run.last_number)


def _summary(month: dt.date, count: int, total: Decimal, first: str | None,
             last: str | None) -> str:
    if not count:
        text = _("%(month)s : aucune facture créée.", month=month_label(month).capitalize())
    else:
        text = ngettext("%(month)s : %(num)d facture créée, total %(total)s.",
                        "%(month)s : %(num)d factures créées, total %(total)s.", count,
                        month=month_label(month).capitalize(), total=euros(total, space=" "))
    if first:
        text += " " + _("Numéros %(first)s à %(last)s.", first=first, last=last)
    return text
