"""The payment service's server-side answers, and nothing else, record online payments.

A notification counts only when the backend verifies it (PayFiP: eopayment asks PayFiP's web
service for the operation's details; the sandbox: its HMAC signature), for the invoice's
reference and the exact amount asked when the attempt started (the invoice's outstanding
amount then). The transaction row is locked (FOR UPDATE) and claimed with one conditional
UPDATE: a duplicate notification adds nothing, a forged or mismatched one changes nothing;
both are logged (logger ``app.payments``). Answers lost on the way are fetched by
`poll_pending` (PayFiP).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlencode

import eopayment
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...extensions import db
from ...models import Invoice, Payment, PaymentMethod, PaymentTransaction, TransactionState
from ...models.base import utcnow
from ..mail import queue_mail
from ..money import ZERO, euros, to_money
from .balance import load_invoices, refresh_invoice_state
from .balance import statuses as invoice_statuses
from .credits import record_overpayment
from .online import PaymentUrls, backend_kind, make_backend, paris_today

log = logging.getLogger("app.payments")

_RESULTS = {
    eopayment.DENIED: TransactionState.refused,
    eopayment.CANCELLED: TransactionState.abandoned,
    eopayment.EXPIRED: TransactionState.abandoned,
    eopayment.ERROR: TransactionState.error,
}


@dataclass
class Notification:
    """What the notification endpoint answers the payment service."""

    outcome: str  # paid, duplicate, refused, abandoned, error, waiting, ignored, rejected
    http_status: int = 200
    content: str = "OK"


def process_notification(query_string: str, urls: PaymentUrls | None = None) -> Notification:
    """Verify a notification with the backend and apply it, at most once."""
    try:
        backend = make_backend(urls)
        response = backend.response(_normalised(backend.kind, query_string))
    except eopayment.ResponseError as exc:
        log.warning("Notification de paiement illisible, rejetée : %s — %r", exc,
                    query_string[:500])
        return Notification("rejected", 400, "rejected")
    except Exception:  # PayFiP unreachable: the service will notify again
        log.exception("Notification de paiement invérifiable auprès du service")
        return Notification("rejected", 503, "retry")
    if not response.signed:
        log.warning("Notification de paiement non vérifiée (falsifiée ?), rejetée : %r",
                    query_string[:500])
        return Notification("rejected", 403, "rejected")
    try:
        return _apply(response)
    finally:
        db.session.rollback()  # nothing left half-done when _apply returned early


def poll_pending(now: dt.datetime | None = None) -> int:
    """Ask the payment service about attempts still waiting for their notification (a lost
    notification must not leave a paid invoice unpaid); returns how many were asked. Only
    for backends that can tell (PayFiP)."""
    backend = make_backend()
    if not backend.has_payment_status or backend_kind() == "dummy":
        return 0
    now = now or utcnow()
    rows = db.session.scalars(
        select(PaymentTransaction.transaction_id).where(
            PaymentTransaction.state == TransactionState.pending,
            PaymentTransaction.transaction_id.is_not(None),
            PaymentTransaction.created_at <= now - dt.timedelta(minutes=5),
            PaymentTransaction.created_at >= now - dt.timedelta(days=2))
    ).all()
    db.session.rollback()
    for transaction_id in rows:
        txn = db.session.scalars(select(PaymentTransaction).where(
            PaymentTransaction.transaction_id == transaction_id)).one()
        try:
            response = backend.payment_status(
                transaction_id, transaction_date=txn.created_at.replace(tzinfo=dt.UTC))
            _apply(response)
        except Exception:  # the service is down: the next round asks again
            log.exception("Paiement en ligne %s : état non obtenu", transaction_id)
        finally:
            db.session.rollback()
    return len(rows)


def _normalised(kind: str, query_string: str) -> str:
    """PayFiP posts `idOp`; eopayment's payfip_ws reads `idop`."""
    if kind != "payfip_ws":
        return query_string
    fields = parse_qs(query_string)
    idop = (fields.get("idop") or fields.get("idOp") or [""])[0]
    return urlencode({"idop": idop}) if idop else query_string


def _apply(response) -> Notification:
    content = response.return_content or "OK"
    txn = db.session.scalars(
        select(PaymentTransaction)
        .where(PaymentTransaction.transaction_id == str(response.order_id))
        .with_for_update()
    ).first()
    if txn is None:
        log.warning("Notification pour une transaction inconnue %r, rejetée", response.order_id)
        return Notification("rejected", 400, "unknown transaction")
    paid = response.result == eopayment.PAID
    state = _RESULTS.get(response.result)
    if not paid and state is None:  # still running on the service's side
        return Notification("waiting", 200, content)
    problem = _mismatch(txn, response, strict=paid)
    if problem:
        log.warning("Notification de la transaction %s rejetée : %s (reçu : %r)",
                    txn.transaction_id, problem, response.bank_data)
        return Notification("rejected", 400, "rejected")
    if paid:
        return _paid(txn, response, content)
    if not _claim(txn, (TransactionState.pending,), state, response):
        return Notification("ignored", 200, content)
    refresh_invoice_state(db.session.get(Invoice, txn.invoice_id))
    db.session.commit()
    log.info("Paiement en ligne %s : %s", txn.transaction_id, state)
    return Notification(str(state), 200, content)


def _paid(txn: PaymentTransaction, response, content: str) -> Notification:
    not_paid = tuple(s for s in TransactionState if s != TransactionState.paid)
    if not _claim(txn, not_paid, TransactionState.paid, response):
        log.info("Notification en double pour %s : rien n'est ajouté", txn.transaction_id)
        return Notification("duplicate", 200, content)
    invoice = db.session.get(Invoice, txn.invoice_id, with_for_update=True)
    left = invoice_statuses(load_invoices(db.session.query(Invoice).filter(
        Invoice.id == invoice.id)))[0].outstanding
    received = to_money(txn.amount)
    applied = min(received, max(left, ZERO))
    payment = None
    if applied > ZERO:
        payment = Payment(
            family_id=txn.family_id, invoice_id=txn.invoice_id, amount=applied,
            method=PaymentMethod.card, received_on=paris_today(),
            reference=f"{txn.backend} {txn.transaction_id}"[:120],
        )
        db.session.add(payment)
        db.session.flush()
        db.session.execute(
            update(PaymentTransaction).where(PaymentTransaction.id == txn.id)
            .values(payment_id=payment.id).execution_options(synchronize_session=False)
        )
    if received > applied:  # paid meanwhile by other means: every euro once, as a credit
        log.warning("Paiement en ligne %s : %s € reçus, il ne restait que %s € sur %s "
                    "(avoir de trop-perçu)", txn.transaction_id, received, applied,
                    invoice.number)
        record_overpayment(
            txn.family_id, invoice.id, received - applied,
            payment_id=payment.id if payment else None, on_date=paris_today(),
            comment=str(_l("Paiement en ligne %(reference)s de %(amount)s reçu alors que la "
                           "facture %(number)s était déjà réglée",
                           reference=txn.transaction_id, amount=euros(received),
                           number=invoice.number)))
    refresh_invoice_state(invoice)
    _receipt_mail(invoice, received, paris_today())
    db.session.commit()
    log.info("Paiement en ligne %s : %s € reçus pour %s", txn.transaction_id, received,
             invoice.number)
    return Notification("paid", 200, content)


def _claim(txn: PaymentTransaction, from_states: tuple, state: str, response) -> bool:
    """One conditional UPDATE: of two notifications at once, only one changes the row."""
    result = db.session.execute(
        update(PaymentTransaction)
        .where(PaymentTransaction.id == txn.id, PaymentTransaction.state.in_(from_states))
        .values(state=state, notified_at=utcnow(),
                bank_status=str(response.bank_status or "")[:255],
                raw_response=json.dumps(response.bank_data, default=str)[:20000])
        .execution_options(synchronize_session=False)
    )
    db.session.expire(txn)
    return result.rowcount == 1


def _mismatch(txn: PaymentTransaction, response, strict: bool) -> str | None:
    """Why the verified answer does not match the attempt (None when it does). A payment
    (`strict`) must state the attempt's reference and amount; a refusal or an expiry may
    come without them (PayFiP forgets an expired operation), but not with others."""
    if txn.backend != backend_kind():
        return f"backend {txn.backend} != {backend_kind()}"
    amount, reference = _notified(txn.backend, response.bank_data or {})
    if (strict or reference is not None) and reference != txn.reference:
        return f"référence {reference!r} au lieu de {txn.reference!r}"
    if (strict or amount is not None) and amount != to_money(txn.amount):
        return f"montant {amount} au lieu de {to_money(txn.amount)}"
    return None


def _first(value):
    return value[0] if isinstance(value, list | tuple) and value else value


def _notified(kind: str, data) -> tuple[Decimal | None, str | None]:
    """(amount, reference) the service states; None for what it does not state. An amount
    that is not a number is stated wrong: it can never match."""
    amount_key, reference_key, scale = (("montant", "refdet", 100) if kind == "payfip_ws"
                                        else ("amount", "orderid", 1))
    amount, reference = _first(data.get(amount_key)), _first(data.get(reference_key))
    if amount is not None:
        try:
            amount = to_money(Decimal(str(amount)) / scale)
        except (InvalidOperation, TypeError, ValueError):
            amount = Decimal("-1")
    return amount, (str(reference) if reference is not None else None)


def _receipt_mail(invoice: Invoice, amount: Decimal, received_on: dt.date) -> None:
    family = invoice.family
    to = family.email or next((g.email for g in family.guardians if g.email), None)
    queue_mail(
        to, _l("Paiement reçu : facture %(number)s", number=invoice.number), "payment_received",
        family_id=family.id, kind="payment_received", number=invoice.number,
        amount=euros(amount, space=" ", before_sign=" "),
        received_on=received_on.strftime("%d/%m/%Y"),
        settled=invoice.state == "paid",
    )


__all__ = ["Notification", "poll_pending", "process_notification"]
