"""A billing run's invoice mails (issue 13): never written inside the run, which records
one `invoice_mails` job in its own transaction; the job, after the commit, queues each
family's mails once (by chunks, each checkpointed), even when retried or run twice; a
job whose dispatch was lost is dispatched again by the beat."""

from __future__ import annotations

import datetime as dt

import pytest

from app.celery_app import celery
from app.extensions import db
from app.models import Guardian, Invoice, Job, JobState, OutgoingMail
from app.services import mail as mail_service
from app.services.billing import mail_jobs
from app.services.billing import notify as notify_module
from app.services.billing.run import bill_month
from app.services.jobs import dispatch_queued_jobs, retry_job, run_job
from app.services.jobs.core import claim

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def _families(count: int = 5):
    """`count` families, one mail address each; the second has two guardians (two
    addresses), the fourth none of its own but the family's."""
    t = town()
    fams = []
    for n in range(count):
        fam = family(f"F{n:02d}", t, username=f"parent.f{n:02d}")
        set_qf(fam, 800)
        book(fam, fam.children[0], t.canteen, DAYS[:3 + n])
        fams.append(fam)
    db.session.add(Guardian(family=fams[1], first_name="Paul", last_name="F01",
                            email="second.f01@example.org"))
    for guardian in fams[3].guardians:
        guardian.email = None
    fams[3].email = "foyer.f03@example.org"
    db.session.commit()
    return fams


def _expected() -> dict[str, tuple[str, str]]:
    """Each address → (number, total as mailed) of its family's invoice."""
    expected = {}
    addresses = notify_module.recipients([i.family_id for i in db.session.query(Invoice)])
    for invoice in db.session.query(Invoice):
        for address in addresses[invoice.family_id]:
            expected[address] = (invoice.number, f"{invoice.total}".replace(".", ","))
    return expected


def _mailed() -> dict[str, list[str]]:
    mailed: dict[str, list[str]] = {}
    for mail in db.session.query(OutgoingMail).filter_by(kind="invoice_issued"):
        mailed.setdefault(mail.recipient, []).append(mail.subject)
    return mailed


def _assert_one_mail_per_address() -> None:
    expected, mailed = _expected(), _mailed()
    assert len(expected) == 6  # 5 families, one with two addresses
    assert sorted(mailed) == sorted(expected)
    for address, (number, total) in expected.items():
        assert len(mailed[address]) == 1, address
        assert mailed[address][0] == f"Votre facture de septembre 2026 ({number})"
        body = db.session.query(OutgoingMail).filter_by(recipient=address).one().body_text
        assert total in body and number in body


def test_the_run_writes_no_mail_and_records_one_job_in_its_transaction(app_ctx):
    _families()
    result = bill_month(SEPTEMBER, ISSUED, commit=False)
    # Still inside the run's transaction: invoices, no mail, one queued job.
    assert db.session.query(Invoice).count() == 5
    assert db.session.query(OutgoingMail).count() == 0
    [job] = db.session.query(Job).all()
    assert (job.id, job.kind, job.state) == (result.mail_job, "invoice_mails", JobState.queued)
    assert job.params == {"month": "2026-09-01", "first": "FAC-2026-000001",
                          "last": "FAC-2026-000005", "count": 5}
    assert job.key == "invoice-mails:2026-09:FAC-2026-000001-FAC-2026-000005"
    db.session.commit()
    # commit=False: the caller commits, the job waits for its dispatch.
    db.session.expire_all()
    assert db.session.get(Job, result.mail_job).state == JobState.queued
    assert db.session.query(OutgoingMail).count() == 0


def test_after_the_commit_the_job_mails_each_address_once(app_ctx, monkeypatch):
    """bill_month commits, then dispatches the job (at once here, PORTAL_JOBS_INLINE):
    each address of each family gets its invoice's mail, handed to the workers after the
    job's commit."""
    _families()
    handed: list[int] = []
    monkeypatch.setattr(mail_service, "_send_later", lambda ids: handed.extend(ids))
    result = bill_month(SEPTEMBER, ISSUED)
    _assert_one_mail_per_address()
    assert sorted(handed) == sorted(m.id for m in db.session.query(OutgoingMail))
    job = db.session.get(Job, result.mail_job)
    assert (job.state, job.done, job.total) == (JobState.done, 5, 5)
    assert job.summary == "6 courriels de facture mis en file pour 5 factures."
    assert job.result == {"after": "FAC-2026-000005", "invoices": 5, "mails": 6}
    # Run or dispatched again: claimed once, nothing more queued.
    assert run_job(job.id) == "skipped"
    assert len(_mailed()) == 6 and db.session.query(OutgoingMail).count() == 6


def test_a_job_failing_midway_is_retried_without_doubling_a_mail(app_ctx, monkeypatch):
    _families()
    monkeypatch.setattr(mail_jobs, "CHUNK", 2)
    calls = []
    real = mail_jobs.mail_invoices

    def failing_second_chunk(invoices, addresses):
        calls.append([i["number"] for i in invoices])
        queued = real(invoices, addresses)
        if len(calls) == 2:
            raise RuntimeError("SMTP du rendu en panne")
        return queued

    monkeypatch.setattr(mail_jobs, "mail_invoices", failing_second_chunk)
    result = bill_month(SEPTEMBER, ISSUED)
    job = db.session.get(Job, result.mail_job)
    assert job.state == JobState.failed
    # The first chunk (2 invoices, 3 addresses) is committed, the second rolled back.
    assert db.session.query(OutgoingMail).count() == 3
    assert job.result == {"after": "FAC-2026-000002", "invoices": 2, "mails": 3}
    retry_job(job.id)  # dispatched at once (PORTAL_JOBS_INLINE)
    db.session.expire_all()
    job = db.session.get(Job, result.mail_job)
    assert (job.state, job.attempts, job.done, job.total) == (JobState.done, 2, 5, 5)
    assert calls[2:] == [["FAC-2026-000003", "FAC-2026-000004"], ["FAC-2026-000005"]]
    _assert_one_mail_per_address()
    assert job.summary == "6 courriels de facture mis en file pour 5 factures."


def test_a_job_taken_again_after_its_worker_died_goes_on_from_its_checkpoint(app_ctx,
                                                                              monkeypatch):
    _families()
    monkeypatch.setattr(mail_jobs, "CHUNK", 2)
    result = bill_month(SEPTEMBER, ISSUED)
    # As if the worker had died after its first chunk's commit, an hour ago.
    db.session.query(OutgoingMail).filter(~OutgoingMail.subject.contains("000001"),
                                          ~OutgoingMail.subject.contains("000002")).delete(
        synchronize_session=False)
    db.session.query(Job).filter_by(id=result.mail_job).update({
        "state": JobState.running, "started_at": dt.datetime(2020, 1, 1, 8, 0),
        "result": {"after": "FAC-2026-000002", "invoices": 2, "mails": 3}})
    db.session.commit()
    assert run_job(result.mail_job) == "done"
    _assert_one_mail_per_address()


def test_a_rolled_back_run_leaves_no_job_and_no_mail(app_ctx):
    _families()
    bill_month(SEPTEMBER, ISSUED, commit=False)
    db.session.rollback()
    assert db.session.query(Job).count() == 0
    assert db.session.query(Invoice).count() == 0
    assert db.session.query(OutgoingMail).count() == 0


def test_a_run_without_notification_records_no_job(app_ctx):
    _families()
    assert bill_month(SEPTEMBER, ISSUED, notify=False).mail_job is None
    assert db.session.query(Job).count() == 0
    # A second run invoicing nothing records no job either.
    assert bill_month(SEPTEMBER, ISSUED).mail_job is None
    assert db.session.query(Job).count() == 0


def test_a_job_whose_dispatch_was_lost_is_dispatched_again(app_ctx, held_jobs):
    """The broker was down, or the process died, between the run's commit and the
    dispatch: the beat hands out again the jobs queued for more than five minutes."""
    _families()
    result = bill_month(SEPTEMBER, ISSUED)
    assert held_jobs == [result.mail_job]  # dispatched once, then lost
    assert dispatch_queued_jobs() == 0  # too recent: its message may be on its way
    db.session.query(Job).update({"created_at": dt.datetime(2020, 1, 1)})
    db.session.commit()
    assert dispatch_queued_jobs() == 1
    assert held_jobs == [result.mail_job, result.mail_job]
    assert run_job(result.mail_job) == "done"
    assert run_job(result.mail_job) == "skipped"  # a duplicate delivery does nothing
    _assert_one_mail_per_address()
    assert dispatch_queued_jobs() == 0  # done: never dispatched again
    entry = celery.conf.beat_schedule["portal-dispatch-queued-jobs"]
    assert entry["task"] == "portal.dispatch_queued_jobs" and entry["schedule"] <= 300


def test_a_claimed_job_is_not_claimed_twice(app_ctx, held_jobs):
    _families()
    result = bill_month(SEPTEMBER, ISSUED)
    assert claim(result.mail_job) is not None
    assert claim(result.mail_job) is None
    with pytest.raises(Exception, match="en échec"):
        retry_job(result.mail_job)  # running, not failed: refused
