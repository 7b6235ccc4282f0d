"""Test data of the payment tests: a school with a canteen and an evening care, two families
(logins "alice" and "bob"), invoices made of explicit lines."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from app.extensions import db
from app.models import (
    Child,
    Family,
    Invoice,
    InvoiceLine,
    Payment,
    SepaMandate,
    Service,
    ServiceKind,
)
from app.services.payments.sandbox import sandbox_secret, signed_notification
from tests import factories as f

_numbers = itertools.count(1)
NOTIFY_URL = "/paiement/notification"


@dataclass
class Town:
    canteen: int
    care: int
    alice: int  # family ids
    bob: int
    alice_kids: list[int]
    bob_kids: list[int]


def town() -> Town:
    school = f.school()
    canteen = f.service(kind=ServiceKind.canteen, schools=[school])
    care = f.service(kind=ServiceKind.care_evening, schools=[school])
    alice = f.family("Alice", school, children=2, username="alice")
    bob = f.family("Bob", school, children=1, username="bob")
    return Town(canteen.id, care.id, alice.id, bob.id, [c.id for c in alice.children],
                [c.id for c in bob.children])


def invoice(family_id: int, lines: list[tuple[int, int, str]], period=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 31), direct_debit: bool = False) -> Invoice:
    """An issued invoice; `lines` = [(child id, service id, amount)]."""
    n = next(_numbers)
    inv = Invoice(number=f"FAC-2026-{n:06d}", family_id=family_id, period_start=period,
                  issued_on=dt.date(2026, 10, 1), due_on=due_on, total=Decimal("0"),
                  direct_debit=direct_debit)
    for child_id, service_id, amount in lines:
        service = db.session.get(Service, service_id)
        inv.lines.append(InvoiceLine(child_id=child_id, service_id=service_id,
                                     label=f"{service.name}", quantity=1,
                                     unit_price=Decimal(amount), amount=Decimal(amount)))
    inv.total = sum((Decimal(a) for _c, _s, a in lines), Decimal("0"))
    db.session.add(inv)
    db.session.commit()
    return inv


def pay(family_id: int, invoice_id: int | None, amount: str, on: dt.date,
        method: str = "cheque") -> Payment:
    row = Payment(family_id=family_id, invoice_id=invoice_id, amount=Decimal(amount),
                  method=method, received_on=on)
    db.session.add(row)
    db.session.commit()
    return row


def mandate(family_id: int, rum: str = "RUM-0001", sequence: str = "FRST") -> SepaMandate:
    row = SepaMandate(family_id=family_id, rum=rum, holder_name="Mme Alice Test",
                      iban="FR7630006000011234567890189", bic="AGRIFRPP",
                      signed_on=dt.date(2026, 8, 20), sequence_type=sequence, active=True)
    db.session.add(row)
    db.session.commit()
    return row


def child(child_id: int) -> Child:
    return db.session.get(Child, child_id)


def set_birth(child_id: int, born: dt.date) -> None:
    db.session.get(Child, child_id).birth_date = born
    db.session.commit()


def family(family_id: int) -> Family:
    return db.session.get(Family, family_id)


# --- online payment, as the browser and the payment service do it -------------------------


def start(client, invoice_id: int):
    """The parent's click on « Payer »: the redirect to the payment service."""
    return client.post(f"/famille/finances/factures/{invoice_id}/payer")


def sandbox_query(response) -> dict[str, str]:
    """The fields the sandbox page received (from the redirect to it)."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sandbox/pay", response.headers["Location"]
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def notification(app, fields: dict[str, str], outcome: str = "ok", **changes) -> dict:
    """What the sandbox posts to the notification URL (signed with its key)."""
    answer = {key: fields[key] for key in ("transaction_id", "amount", "orderid")}
    answer[outcome] = "1"
    answer.update(changes)
    with app.test_request_context():
        return signed_notification(answer, sandbox_secret())


def notify(app, client, fields: dict[str, str], outcome: str = "ok", **changes):
    return client.post(NOTIFY_URL, data=notification(app, fields, outcome, **changes))
