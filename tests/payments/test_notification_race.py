"""The same "paid" notification delivered several times at once (payment services retry, and
may deliver twice in parallel): exactly one payment. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL (where the transaction row is locked FOR UPDATE)."""

from __future__ import annotations

import threading
from decimal import Decimal

from app.extensions import db
from app.models import Invoice, InvoiceState, Payment, PaymentTransaction
from tests import factories as f

from . import builders as b

PARALLEL = 6


def test_parallel_duplicate_notifications_record_one_payment(app, client, town):
    with app.app_context():
        kid = town.alice_kids[0]
        invoice_id = b.invoice(town.alice, [(kid, town.care, "33.30")]).id
    f.login(client, "alice")
    fields = b.sandbox_query(b.start(client, invoice_id))
    data = b.notification(app, fields, "ok")
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []

    def deliver() -> None:
        service = app.test_client()
        barrier.wait()
        statuses.append(service.post(b.NOTIFY_URL, data=data).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * PARALLEL
    with app.app_context():
        payments = db.session.query(Payment).filter_by(invoice_id=invoice_id).all()
        assert [p.amount for p in payments] == [Decimal("33.30")]
        txn = db.session.query(PaymentTransaction).one()
        assert txn.state == "paid" and txn.payment_id == payments[0].id
        assert db.session.get(Invoice, invoice_id).state == InvoiceState.paid
