"""The production path: eopayment's payfip_ws backend. Only PayFiP's SOAP web service is
replaced (it cannot be reached from here) by a fake that keeps the operations it created, as
PayFiP does: the notification carries only `idOp`, and eopayment asks the web service what
happened to that operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from eopayment import payfip_ws

from app.extensions import db
from app.models import Invoice, InvoiceState, Payment, PaymentTransaction
from app.services.calendar import local_now
from tests import factories as f

from . import builders as b


class Detail(dict):
    """A SOAP answer as zeep gives it: items and attributes."""

    __getattr__ = dict.get


class FakePayFiP:
    def __init__(self):
        self.operations: dict[str, dict] = {}

    def get_idop(self, numcli, saisie, exer, refdet, montant, mel, url_notification,
                 url_redirect, objet=None, timeout=None):
        idop = f"idop{len(self.operations) + 1:04d}"
        self.operations[idop] = {"numcli": numcli, "saisie": saisie, "exer": exer,
                                 "refdet": refdet, "montant": montant, "mel": mel,
                                 "objet": objet, "resultrans": None}
        return idop

    def get_info_paiement(self, idop, timeout=None):
        operation = self.operations.get(idop)
        if operation is None:
            raise payfip_ws.PayFiPError("P1", "IdOp incorrect.")
        if operation["resultrans"] is None:
            raise payfip_ws.PayFiPError("P5", "Résultat de la transaction non connu.")
        now = local_now()
        return Detail(operation, dattrans=now.strftime("%d%m%Y"), heurtrans=now.strftime("%H%M"),
                      numauto="123456" if operation["resultrans"] == "P" else None)


@pytest.fixture
def payfip(app, monkeypatch):
    fake = FakePayFiP()
    monkeypatch.setitem(app.config, "PAYMENT_BACKEND", "payfip_ws")
    monkeypatch.setitem(app.config, "PAYFIP_NUMCLI", "123456")
    monkeypatch.setattr(payfip_ws.PayFiP, "get_idop", lambda self, **kw: fake.get_idop(**kw))
    monkeypatch.setattr(payfip_ws.PayFiP, "get_info_paiement",
                        lambda self, idop, timeout=None: fake.get_info_paiement(idop))
    return fake


@pytest.fixture
def bill(app, town):
    with app.app_context():
        kid = town.alice_kids[0]
        return b.invoice(town.alice, [(kid, town.canteen, "30.00"), (kid, town.care, "12.40")]).id


def _start(client, invoice_id) -> str:
    f.login(client, "alice")
    response = b.start(client, invoice_id)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == payfip_ws.PAYMENT_URL
    return parse_qs(location.query)["idop"][0]


def _paid_cards(app, invoice_id):
    with app.app_context():
        return [p.amount for p in db.session.query(Payment).filter_by(invoice_id=invoice_id,
                                                                      method="card")]


def test_payfip_payment_is_verified_with_the_web_service(app, client, payfip, bill):
    idop = _start(client, bill)
    operation = payfip.operations[idop]
    assert operation["montant"] == "4240" and operation["saisie"] == "T"
    assert operation["refdet"] == _number(app, bill).replace("-", "")
    assert operation["mel"] == "alice@example.org"
    # PayFiP posts only the operation id; before PayFiP knows the result, nothing happens.
    assert client.post(b.NOTIFY_URL, data={"idOp": idop}).status_code == 200
    assert _paid_cards(app, bill) == []
    operation["resultrans"] = "P"
    assert client.post(b.NOTIFY_URL, data={"idOp": idop}).status_code == 200
    assert client.post(b.NOTIFY_URL, data={"idOp": idop}).status_code == 200  # duplicate
    assert _paid_cards(app, bill) == [Decimal("42.40")]
    with app.app_context():
        assert db.session.get(Invoice, bill).state == InvoiceState.paid


def test_payfip_refusal_and_mismatch(app, client, payfip, bill):
    idop = _start(client, bill)
    payfip.operations[idop].update(resultrans="P", montant="100")  # 1,00 € taken, not 42,40
    assert client.post(b.NOTIFY_URL, data={"idOp": idop}).status_code == 400
    assert client.post(b.NOTIFY_URL, data={"idOp": "unknown"}).status_code == 400
    assert _paid_cards(app, bill) == []
    payfip.operations[idop].update(resultrans="R", montant="4240")
    assert client.post(b.NOTIFY_URL, data={"idOp": idop}).status_code == 200
    with app.app_context():
        assert db.session.query(PaymentTransaction).one().state == "refused"
        assert db.session.get(Invoice, bill).state == InvoiceState.issued


def _number(app, invoice_id):
    with app.app_context():
        return db.session.get(Invoice, invoice_id).number


def test_lost_notification_is_caught_up_by_polling(app, client, payfip, bill):
    from app.services.payments.notifications import poll_pending

    idop = _start(client, bill)
    with app.app_context():
        assert poll_pending() == 0  # too recent: the notification may still come
        txn = db.session.query(PaymentTransaction).one()
        txn.created_at -= dt.timedelta(minutes=6)
        db.session.commit()
        assert poll_pending() == 1  # PayFiP does not know yet (P5): still waiting
        assert db.session.query(PaymentTransaction).one().state == "pending"
    payfip.operations[idop]["resultrans"] = "P"
    with app.app_context():
        assert poll_pending() == 1
        assert db.session.get(Invoice, bill).state == InvoiceState.paid
        assert poll_pending() == 0
    assert _paid_cards(app, bill) == [Decimal("42.40")]
