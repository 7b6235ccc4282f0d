"""Finding 14: two « Payer » clicks at the same moment on one invoice open one online payment,
not two (SQLite ignores SELECT … FOR UPDATE: the invoice's row is write-locked first; on
PostgreSQL FOR UPDATE does it)."""

from __future__ import annotations

import contextlib
import threading

from app.extensions import db
from app.models import PaymentTransaction
from app.services.payments import online
from tests import factories as f

from . import builders as b

PARALLEL = 2


def test_parallel_payment_starts_open_one_transaction(app, town, monkeypatch):
    with app.app_context():
        kid = town.alice_kids[0]
        invoice_id = b.invoice(town.alice, [(kid, town.care, "33.30")]).id
    # Make both requests read the invoice's state before either writes its attempt (the
    # window of the race); a request that cannot reach this point in time is held by a lock.
    barrier = threading.Barrier(PARALLEL, timeout=3)
    checked = online._check_payable

    def check_then_wait(status):
        checked(status)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(online, "_check_payable", check_then_wait)
    statuses: list[int] = []

    def click() -> None:
        client = app.test_client()
        f.login(client, "alice")
        statuses.append(b.start(client, invoice_id).status_code)

    threads = [threading.Thread(target=click) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == PARALLEL and all(code < 500 for code in statuses), statuses
    with app.app_context():
        assert db.session.query(PaymentTransaction).filter_by(invoice_id=invoice_id).count() == 1


