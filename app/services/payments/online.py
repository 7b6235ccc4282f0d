"""Online payment of an invoice with eopayment: PayFiP (payfip_ws) in production, the app's
own sandbox (eopayment's dummy backend pointed at /sandbox) in development and tests.

Starting a payment opens a PaymentTransaction for the invoice's outstanding amount (the
invoice shows « paiement en cours ») and sends the payer to the service. What the service
answers is applied by `notifications.py`, never by the payer's return to the portal.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

import eopayment
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ...extensions import db
from ...models import Invoice, PaymentTransaction, TransactionState
from ..calendar import local_today
from ..errors import CommandError
from ..locking import write_lock
from ..money import euros
from .balance import ZERO, live_transactions, load_invoices, refresh_invoice_state
from .balance import statuses as invoice_statuses
from .sandbox import SandboxPayment, sandbox_secret

log = logging.getLogger("app.payments")


class PaymentRefused(CommandError):
    """The payment cannot start; the message is for the parent (French)."""


# --- the backend -------------------------------------------------------------------------


def backend_kind() -> str:
    kind = current_app.config.get("PAYMENT_BACKEND") or "dummy"
    if kind == "dummy" and current_app.config.get("ENV_NAME") == "production":
        raise RuntimeError("PAYMENT_BACKEND=dummy (bac à sable) est interdit en production.")
    return kind


@dataclass(frozen=True)
class PaymentUrls:
    """The portal's addresses the payment service needs, built by the view (a service
    never builds URLs): the notification endpoint, the sandbox's payment page, and where
    the payer comes back to (None when no payer is sent anywhere)."""

    notify: str
    sandbox: str
    payer_return: str | None = None


def make_backend(urls: PaymentUrls | None = None) -> eopayment.Payment:
    """The configured eopayment backend with the portal's URLs (none outside a request:
    checking a payment's status needs none)."""
    kind = backend_kind()
    options = {}
    if urls is not None:
        options["automatic_return_url"] = urls.notify
        if urls.payer_return is not None:
            options["normal_return_url"] = urls.payer_return
    if kind == "dummy":
        options.update(
            origin=current_app.config.get("PORTAL_TOWN_NAME", "Portail Famille"),
            secret=sandbox_secret(),
        )
        if urls is not None:
            options["dummy_service_url"] = urls.sandbox
        return SandboxPayment(options, logger=log)
    if kind == "payfip_ws":
        options.update(
            numcli=current_app.config.get("PAYFIP_NUMCLI", ""),
            saisie=current_app.config.get("PAYFIP_SAISIE", "T"),
        )
        return eopayment.Payment(kind, options, logger=log)
    raise RuntimeError(f"PAYMENT_BACKEND inconnu : {kind}")


def invoice_reference(invoice: Invoice) -> str:
    """PayFiP's REFDET (letters and digits, 30 at most): FAC-2026-000123 → FAC2026000123."""
    return re.sub(r"[^A-Za-z0-9]", "", invoice.number)[:30]


def paris_today() -> dt.date:
    return local_today()


# --- starting a payment --------------------------------------------------------------------


_NOT_PAYABLE = {
    "paid": _l("Cette facture est déjà réglée."),
    "cancelled": _l("Cette facture a été annulée par un avoir : il n'y a rien à payer."),
    "payment_pending": _l(
        "Un paiement en ligne est déjà en cours pour cette facture. Si vous l'avez abandonné, "
        "réessayez dans quelques minutes."
    ),
    "direct_debit": _l(
        "Cette facture sera prélevée sur votre compte (mandat SEPA) : elle ne se paie pas en "
        "ligne."
    ),
}


def start_payment(invoice_id: int, family_ids: list[int], email: str | None,
                  user_id: int | None = None, urls: PaymentUrls | None = None) -> str:
    """Open an online payment of the invoice's outstanding amount; returns the URL to send
    the payer to. Raises LookupError for an invoice outside `family_ids` and PaymentRefused
    when it cannot be paid online."""
    write_lock(Invoice, [invoice_id])  # SQLite: two clicks at once open one attempt
    query = (
        db.session.query(Invoice)
        .filter(Invoice.id == invoice_id, Invoice.family_id.in_(family_ids or [-1]))
        .with_for_update()
    )
    invoices = load_invoices(query)
    if not invoices:
        raise LookupError(invoice_id)
    status = invoice_statuses(invoices)[0]
    invoice = status.invoice
    _check_payable(status)
    backend = make_backend(urls)
    _check_amount(backend, status.outstanding)
    _expire_stale_attempts(invoice.id)
    txn = PaymentTransaction(
        invoice_id=invoice.id, family_id=invoice.family_id, backend=backend_kind(),
        reference=invoice_reference(invoice), amount=status.outstanding,
        state=TransactionState.pending, started_by_id=user_id,
    )
    db.session.add(txn)
    refresh_invoice_state(invoice)
    db.session.commit()  # the attempt exists before the service is called
    return _request(backend, txn, invoice, email)


def _check_payable(status) -> None:
    if status.state in _NOT_PAYABLE:
        raise PaymentRefused(_NOT_PAYABLE[status.state])
    if status.direct_debit:
        raise PaymentRefused(_NOT_PAYABLE["direct_debit"])
    if status.outstanding <= ZERO:
        raise PaymentRefused(_NOT_PAYABLE["paid"])


def _check_amount(backend: eopayment.Payment, amount: Decimal) -> None:
    minimum = backend.get_minimal_amount()
    if minimum is not None and amount < Decimal(str(minimum)):
        raise PaymentRefused(_(
            "Le paiement en ligne n'est possible qu'à partir de %(min)s € : réglez ce montant "
            "par un autre moyen.", min=euros(minimum, space=" ", sign=""),
        ))


def _expire_stale_attempts(invoice_id: int) -> None:
    """Attempts left unanswered past PAYMENT_PENDING_MINUTES are abandoned (a verified
    payment of one of them would still count: see `_apply`)."""
    live = live_transactions([invoice_id])
    db.session.execute(
        update(PaymentTransaction)
        .where(PaymentTransaction.invoice_id == invoice_id,
               PaymentTransaction.state == TransactionState.pending,
               PaymentTransaction.id.not_in([t.id for t in live.values()] or [-1]))
        .values(state=TransactionState.abandoned, bank_status="expired without answer")
        .execution_options(synchronize_session=False)
    )


def _request(backend, txn: PaymentTransaction, invoice: Invoice, email: str | None) -> str:
    try:
        transaction_id, kind, url = backend.request(
            str(txn.amount), email=email or "", orderid=txn.reference, refdet=txn.reference,
            exer=str(invoice.issued_on.year), subject=f"Facture {invoice.number}",
        )
        if kind != eopayment.URL:
            raise RuntimeError(f"unexpected eopayment answer kind {kind}")
    except Exception as exc:  # the service is down or refused the request
        log.exception("Paiement en ligne de %s : le service n'a pas accepté la demande",
                      invoice.number)
        txn.state = TransactionState.error
        txn.bank_status = f"{type(exc).__name__}: {exc}"[:255]
        refresh_invoice_state(invoice)
        db.session.commit()
        raise PaymentRefused(_(
            "Le service de paiement en ligne ne répond pas. Réessayez plus tard ou réglez "
            "par un autre moyen.")) from exc
    txn.transaction_id = str(transaction_id)
    db.session.commit()
    log.info("Paiement en ligne %s ouvert pour %s (%s €)", txn.transaction_id, invoice.number,
             txn.amount)
    return url


__all__ = [
    "PaymentRefused",
    "backend_kind",
    "invoice_reference",
    "make_backend",
    "PaymentUrls",
    "start_payment",
]
