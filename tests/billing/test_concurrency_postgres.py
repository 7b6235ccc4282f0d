"""Numbers and limits under concurrency, on PostgreSQL (SELECT … FOR UPDATE): ten staff
members credit the same invoice at once; two billing runs of one month race."""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest

from app import create_app
from app.extensions import db
from app.models import CreditNote, DocumentSequence, Invoice
from app.services.billing.credit_notes import CreateCreditNote
from app.services.billing.run import bill_month

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

pytestmark = pytest.mark.postgres
URL = os.environ.get("TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(not URL.startswith("postgresql"),
                                    reason="needs TEST_DATABASE_URL (PostgreSQL)")


def create_credit_note(*args, **kwargs):
    return CreateCreditNote(*args, **kwargs).run()


def _race(count: int, action) -> tuple[list, list]:
    """Run `action()` in `count` threads, each on its own connection, released together."""
    racing_app = create_app("testing", SQLALCHEMY_DATABASE_URI=URL,
                            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": count, "max_overflow": 0})
    start = threading.Barrier(count)
    results, failures = [], []

    def run():
        with racing_app.app_context():
            db.session.connection()
            start.wait()
            try:
                results.append(action())
            except Exception as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with racing_app.app_context():
        db.engine.dispose()
    return results, failures


@needs_postgres
def test_concurrent_credit_notes_never_exceed_the_invoice_nor_leave_gaps(app):
    with app.app_context():
        t = town()
        fam = family("Course", t)
        set_qf(fam, 800)
        book(fam, fam.children[0], t.canteen, school_days(SEPTEMBER))  # 70,55 €
        [invoice] = bill_month(SEPTEMBER, ISSUED).invoices
        invoice_id = invoice.id

    results, failures = _race(10, lambda: create_credit_note(
        invoice_id, "10,00", "Course").number)
    assert len(results) == 7  # 7 × 10 € fit in 70,55 €; the three others are refused
    assert all("ne peut dépasser" in str(error) for error in failures) and len(failures) == 3
    assert sorted(results) == [f"AV-2026-{n:06d}" for n in range(1, 8)]
    with app.app_context():
        amounts = [note.amount for note in db.session.query(CreditNote)]
        assert sum(amounts, Decimal("0")) == Decimal("70.00")


@needs_postgres
def test_two_runs_of_one_month_at_once_bill_each_family_once(app):
    with app.app_context():
        t = town()
        for name in ("Un", "Deux", "Trois"):
            fam = family(name, t)
            book(fam, fam.children[0], t.canteen, school_days(SEPTEMBER)[:4])

    results, failures = _race(2, lambda: len(bill_month(SEPTEMBER, ISSUED).invoices))
    # One run wins; the other fails (unique family × month) or, started after, finds
    # nothing left to bill. Either way nothing twice and no number lost.
    assert sorted(results) in ([3], [0, 3]) and len(results) + len(failures) == 2
    with app.app_context():
        numbers = sorted(n for (n,) in db.session.query(Invoice.number))
        assert numbers == ["FAC-2026-000001", "FAC-2026-000002", "FAC-2026-000003"]
        assert db.session.query(DocumentSequence.last_number).filter_by(
            prefix="FAC", year=2026).scalar() == 3
