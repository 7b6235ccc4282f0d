"""The billing run is set-based: its SQL statements do not grow with the number of
invoices; it writes one audit entry; it runs as a background job with progress."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditLog, BillingRun, Invoice, InvoiceLine, Job, JobState, OutgoingMail
from app.services.billing import run as billing_run
from app.services.billing.jobs import start_billing
from app.services.billing.run import bill_month
from app.services.jobs import JobRun, run_job
from tests.conftest import _empty_tables

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def _city(count: int) -> None:
    """`count` families: most with a steady QF, one with a QF changing mid-month (priced
    day by day), one without QF, children at the canteen and the evening care, one
    presence without booking."""
    t = town()
    for n in range(count):
        fam = family(f"F{n:03d}", t, children=2 if n % 3 == 0 else 1)
        if n == 1:
            set_qf(fam, 500, dt.date(2026, 1, 1), dt.date(2026, 9, 14))
            set_qf(fam, 1200, dt.date(2026, 9, 15), dt.date(2026, 12, 31))
        elif n != 2:
            set_qf(fam, 400 + 100 * (n % 9))
        for kid in fam.children:
            book(fam, kid, t.canteen, DAYS if n == 1 else DAYS[: 5 + n % 7])
            book(fam, kid, t.care, DAYS[2:6])
        if n == 3:
            book(fam, fam.children[0], t.canteen, DAYS[-1:], attendance="present",
                 unbooked=True)
    db.session.commit()


def _statements(count_queries, count: int) -> int:
    """SQL statements of the run over a city of `count` families. Its mails are not the
    run's: it records one `invoice_mails` job (left queued with commit=False), whose
    statements come after the commit, in its own transactions."""
    current_app.extensions["portal_background"].wait()  # the previous run's mails
    _empty_tables()
    _city(count)
    db.session.expire_all()
    with count_queries() as counter:
        result = bill_month(SEPTEMBER, ISSUED, commit=False)
    assert db.session.query(OutgoingMail).count() == 0  # no mail inside the run
    db.session.commit()
    assert result.count == count
    job = db.session.get(Job, result.mail_job)
    assert (job.kind, job.state) == ("invoice_mails", JobState.queued)
    assert run_job(job.id) == "done"
    assert db.session.query(OutgoingMail).count() == count  # one mail each, in bulk
    return counter.count


def test_the_run_costs_the_same_statements_for_5_or_50_invoices(app_ctx, count_queries):
    few, many = _statements(count_queries, 5), _statements(count_queries, 50)
    # 50 families fit one chunk of families: the very same statements. One fewer than
    # when the run queued the mails itself (SQLite 24 → 23, PostgreSQL 26 → 25): the 2
    # address queries and the outbox insert are the job's now, the job's key lookup and
    # insert the run's.
    assert few == many
    assert many <= 40


def test_set_based_lines_match_day_by_day_pricing(app_ctx):
    """The family whose QF changes mid-month gets one line per price; the others one line
    per child and service, priced once per (tariff, QF, surcharge)."""
    _city(5)
    bill_month(SEPTEMBER, ISSUED)
    changing = db.session.query(Invoice).filter(Invoice.number == "FAC-2026-000002").one()
    labels = sorted(line.label for line in changing.lines)
    assert any("du 01/09 au 14/09" in label for label in labels), labels
    assert any("du 15/09 au 29/09" in label for label in labels), labels
    for invoice in db.session.query(Invoice):
        assert invoice.total == sum((line.amount for line in invoice.lines), Decimal("0"))
        frozen = json.loads(invoice.snapshot)
        assert frozen["number"] == invoice.number
        assert [x["label"] for x in frozen["lines"]] == [x.label for x in sorted(
            invoice.lines, key=lambda line: line.id)]
    surcharge = db.session.query(InvoiceLine).filter(
        InvoiceLine.label.like("%présence sans réservation%")).one()
    assert (surcharge.quantity, surcharge.unit_price) == (1, Decimal("6.00"))  # QF 700


def test_one_audit_entry_for_a_whole_run(app_ctx):
    _city(5)
    run = billing_run.start_run("2026-09", ISSUED)
    billing_run.execute_run(run.id)
    entries = db.session.query(AuditLog).filter(
        AuditLog.table_name.in_(["invoice", "invoice_line", "outgoing_mail"])).all()
    assert [(e.action, e.object_id) for e in entries] == [("billing", str(run.id))]
    changes = json.loads(entries[0].changes)
    assert (changes["invoices"], changes["first_number"], changes["last_number"]) == (
        5, "FAC-2026-000001", "FAC-2026-000005")
    assert Decimal(changes["total"]) == sum(
        (i.total for i in db.session.query(Invoice)), Decimal("0"))


def test_a_billing_job_runs_to_completion_with_progress(app_ctx, monkeypatch):
    """Through the job table: the run's progress is visible to another connection while
    it runs (PostgreSQL; SQLite's single writer shows the start and the end), then the
    job's report gives the invoices and the total."""
    _city(5)
    monkeypatch.setattr(billing_run, "_CHUNK", 2)
    seen: list[tuple[int, int, str]] = []
    original = JobRun.progress

    def watched(self, done, total=None):
        original(self, done, total)
        with Session(db.engine) as session:
            job = session.get(Job, self.id)
            if job.kind == "billing":  # not its invoice mails' job, run after its commit
                seen.append((job.done, job.total, job.state))

    monkeypatch.setattr(JobRun, "progress", watched)
    run = start_billing("2026-09", ISSUED)
    db.session.expire_all()
    run = db.session.get(BillingRun, run.id)
    job = db.session.get(Job, run.job_id)
    if db.engine.dialect.name == "postgresql":
        assert seen == [(0, 5, "running"), (2, 5, "running"), (4, 5, "running"),
                        (5, 5, "running")]
    else:
        assert seen == [(0, 5, "running")]
    assert (job.kind, job.state, job.done, job.total) == ("billing", JobState.done, 5, 5)
    total = sum((i.total for i in db.session.query(Invoice)), Decimal("0"))
    assert job.summary == (
        f"Septembre 2026 : 5 factures créées, total {str(total).replace('.', ',')}\u00a0€."
        " Numéros FAC-2026-000001 à FAC-2026-000005.")
    assert job.result["invoices"] == 5 and job.result["total"] == str(total)
    # Family F002 has no QF at all, none expired; every family has an address here.
    assert job.errors is None or all("expiré" not in e for e in job.errors)
    assert (run.state, run.invoices_created, run.families_done) == ("done", 5, 5)
    mails = db.session.query(Job).filter_by(kind="invoice_mails").one()
    assert (mails.state, mails.done, mails.total) == (JobState.done, 5, 5)
    assert mails.summary == "5 courriels de facture mis en file pour 5 factures."
    # Started again: the same month creates nothing more (idempotent).
    again = start_billing("2026-09", ISSUED)
    db.session.expire_all()
    assert db.session.get(BillingRun, again.id).invoices_created == 0
    assert db.session.query(Invoice).count() == 5
