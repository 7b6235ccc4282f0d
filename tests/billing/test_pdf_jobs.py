"""« Générer les PDF manquants du mois » (a manager's background job): the page answers at
once with the job; the job renders and stores every invoice of the month whose PDF is
missing or altered (and only those), reports its progress and a French report, is retried
without rendering a stored PDF again, and a double submit gives one job. Agents and parents
cannot start it."""

# ruff: noqa: F811 (fixtures imported from their test modules)
from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.models import IssuedPdf, Job, JobState
from app.services.billing import pdf as billing_pdf
from app.services.billing import pdf_jobs
from app.services.issued_pdfs import StoredPdfError, read
from app.services.jobs import retry_job, run_job
from tests import factories as f

from .test_issued_pdfs import billed, renders  # noqa: F401 (fixtures)

TOKEN = "pdf-token-0123456789abc"


@pytest.fixture
def damaged(app, billed):
    """The three invoices' PDFs stored at issue; Alpha's file then lost, Beta's altered."""
    with app.app_context():
        root = Path(app.config["PORTAL_UPLOAD_DIR"]) / "pdf"
        records = {r.ref_id: r for r in db.session.query(IssuedPdf).filter_by(kind="invoice")}
        (root / records[billed["Alpha"]].path).unlink()
        (root / records[billed["Beta"]].path).write_bytes(b"%PDF-1.4 altered")
    return billed


@pytest.fixture
def manager(app, client, damaged):
    f.login(client, "gestionnaire")
    return client


@pytest.fixture
def progress(job_progress) -> list[tuple[int, int]]:
    return job_progress(pdf_jobs)


def _start(client, token=TOKEN, month="2026-09"):
    return client.post("/gestion/facturation/pdf", data={"month": month, "job_token": token})


def _all_intact(app) -> bool:
    with app.app_context():
        records = db.session.query(IssuedPdf).filter_by(kind="invoice").all()
        try:
            return len(records) == 3 and all(read(r) for r in records)
        except StoredPdfError:
            return False


SUMMARY = ("PDF des factures de septembre 2026 : 2 généré(s) et enregistré(s), 1 déjà à "
           "jour, sur 3 facture(s).")


def test_the_page_answers_with_a_job_that_renders_the_missing_pdfs(app, manager, renders,
                                                                   held_jobs, progress):
    assert renders["invoice"] == 3  # at issue
    response = _start(manager)
    assert response.status_code == 303
    with app.app_context():
        job = db.session.query(Job).filter_by(kind="invoice_pdfs").one()
    assert response.location.endswith(f"/gestion/facturation/?travail={job.id}")
    assert (job.kind, job.state, held_jobs) == ("invoice_pdfs", "queued", [job.id])
    assert renders["invoice"] == 3 and not _all_intact(app)
    with app.test_request_context():
        assert run_job(job.id) == "done"
        job = db.session.get(Job, job.id)
        assert (job.state, job.done, job.total) == (JobState.done, 2, 2)
        assert job.summary == SUMMARY
        assert job.result == {"stored": 2, "intact": 1, "invoices": 3}
    assert progress == [(0, 2), (1, 2), (2, 2)]
    assert renders["invoice"] == 5 and _all_intact(app)  # Gamma's was not rendered again
    assert SUMMARY in manager.get(response.location).text
    again = _start(manager, token="pdf-token-second-0123456")
    with app.test_request_context():
        assert run_job(held_jobs[-1]) == "done"
        assert db.session.get(Job, held_jobs[-1]).summary.endswith(
            "0 généré(s) et enregistré(s), 3 déjà à jour, sur 3 facture(s).")
    assert again.status_code == 303 and renders["invoice"] == 5


def test_a_retry_after_a_failure_renders_no_stored_pdf_again(app, manager, renders,
                                                             held_jobs, progress,
                                                             monkeypatch):
    real, calls = billing_pdf.invoice_pdf, []

    def failing_second(invoice):
        calls.append(invoice.id)
        if len(calls) == 2:
            raise RuntimeError("panne du moteur PDF")
        return real(invoice)

    monkeypatch.setattr(billing_pdf, "invoice_pdf", failing_second)
    _start(manager)
    with app.test_request_context():
        assert run_job(held_jobs[0]) == "failed"
        retry_job(held_jobs[0])
        assert run_job(held_jobs[0]) == "done"
        assert db.session.get(Job, held_jobs[0]).summary == SUMMARY
    first, second = calls[0], calls[1]
    assert calls == [first, second, second]  # the first one stored is not rendered again
    assert _all_intact(app)


def test_a_double_submit_gives_one_job_and_bad_months_none(app, manager, held_jobs):
    assert _start(manager).location == _start(manager).location
    for month, message in (("2026-08", "Aucune facture pour août 2026."),
                           ("n'importe", "Choisissez le mois des factures.")):
        refused = _start(manager, token="pdf-token-refused-01234", month=month)
        assert message in manager.get(refused.location).text.replace("&#39;", "'")
    with app.app_context():
        started = db.session.query(Job).filter_by(kind="invoice_pdfs")
        assert started.count() == 1 and len(held_jobs) == 1


def test_agents_and_parents_cannot_start_it(app, client, damaged, held_jobs):
    for username in ("agent", "parent.alpha"):
        f.login(client, username)
        assert _start(client).status_code in (302, 403)
        client.get("/logout/")
    with app.app_context():
        # (the billing run's invoice mails job is the only one)
        assert db.session.query(Job).filter_by(kind="invoice_pdfs").count() == 0
    assert not _all_intact(app)
