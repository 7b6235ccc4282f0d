"""SEPA direct debit: mandates (IBAN and BIC checked with schwifty) and the monthly pain.008
batch (sepaxml, validated against the pain.008.001.02 XSD before anything is recorded).

Which invoices a batch debits: those of the month that announced the debit (issued while
the family's mandate was in force: `Invoice.direct_debit`, the invoice being the debit's
pre-notification), whose family's mandate is still in force, with something left to pay,
due on or before the collection date, and never debited before. Recording the batch
records one direct-debit payment per invoice (dated the collection date; a bank reject is
entered by staff as a correction), and a mandate's first collection (FRST) turns it RCUR.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as SepaValidationError
from sqlalchemy import select

from ...extensions import db
from ...models import (
    Invoice,
    InvoiceState,
    Payment,
    PaymentMethod,
    SepaBatch,
    SepaBatchLine,
    SepaMandate,
)
from ..calendar import local_now, local_today
from ..command import BaseCommand
from ..errors import CommandError, transaction
from .balance import ZERO, invoice_outstanding, load_invoices, refresh_invoice_state

SCHEMA = "pain.008.001.02"
# The SEPA character set of identifiers (RUM, end-to-end id).
_SEPA_ID = re.compile(r"^[A-Za-z0-9+?/:().,' -]{1,35}$")


class SepaError(CommandError, ValueError):
    """A mandate or a batch that cannot be accepted; the message is French."""


# --- mandates ---------------------------------------------------------------------------


def clean_iban(value: str | None) -> str:
    try:
        return IBAN("".join((value or "").split()).upper()).compact
    except SchwiftyException:
        raise SepaError(_l("IBAN invalide : vérifiez-le sur le RIB (clé de contrôle, longueur)."))\
            from None


def clean_bic(value: str | None) -> str:
    try:
        return str(BIC("".join((value or "").split()).upper()))
    except SchwiftyException:
        raise SepaError(_l("BIC invalide : 8 ou 11 caractères, par exemple AGRIFRPP.")) from None


def check_mandate(mandate: SepaMandate, today: dt.date | None = None) -> None:
    """Normalise and check a mandate before it is saved (raises SepaError)."""
    mandate.iban = clean_iban(mandate.iban)
    mandate.bic = clean_bic(mandate.bic)
    mandate.rum = (mandate.rum or "").strip()
    if not _SEPA_ID.match(mandate.rum):
        raise SepaError(_l("RUM invalide : 35 caractères au plus, lettres, chiffres et + ? / : "
                           "( ) . , ' - uniquement."))
    if mandate.sequence_type not in ("FRST", "RCUR"):
        raise SepaError(_l("Séquence invalide : premier prélèvement (FRST) ou récurrent (RCUR)."))
    if mandate.signed_on and mandate.signed_on > (today or local_today()):
        raise SepaError(_l("La date de signature du mandat ne peut pas être dans le futur."))
    if not (mandate.holder_name or "").strip():
        raise SepaError(_l("Indiquez le titulaire du compte."))


def mandates_in_force(family_ids: list[int], on: dt.date) -> dict[int, SepaMandate]:
    """family id → its mandate in force on `on` (the latest signed)."""
    rows = db.session.scalars(
        select(SepaMandate)
        .where(SepaMandate.family_id.in_(family_ids or [-1]), SepaMandate.active.is_(True),
               SepaMandate.signed_on <= on)
        .order_by(SepaMandate.signed_on, SepaMandate.id)
    ).all()
    return {row.family_id: row for row in rows if row.revoked_on is None or row.revoked_on > on}


# --- the batch --------------------------------------------------------------------------


def creditor() -> dict:
    config = current_app.config
    return {
        "name": config.get("SEPA_CREDITOR_NAME") or config.get("PORTAL_TOWN_NAME", ""),
        "IBAN": clean_iban(config.get("SEPA_CREDITOR_IBAN")),
        "BIC": clean_bic(config.get("SEPA_CREDITOR_BIC")),
        "creditor_id": config.get("SEPA_CREDITOR_ID", ""),
        "currency": "EUR",
        "batch": True,
    }


@dataclass
class Debit:
    invoice: Invoice
    mandate: SepaMandate
    amount: Decimal

    @property
    def end_to_end_id(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", self.invoice.number)[:35]


def due_debits(month: dt.date, collection_date: dt.date, lock: bool = True) -> list[Debit]:
    """The invoices of `month` the batch would debit on `collection_date` (rows locked
    unless `lock` is False: a check that writes nothing)."""
    debited = select(SepaBatchLine.invoice_id)
    query = (
        db.session.query(Invoice)
        .filter(Invoice.period_start == month.replace(day=1),
                Invoice.direct_debit.is_(True),
                Invoice.state == InvoiceState.issued,
                Invoice.due_on <= collection_date,
                Invoice.id.not_in(debited))
        .order_by(Invoice.number)
    )
    if lock:
        query = query.with_for_update()
    invoices = load_invoices(query)
    mandates = mandates_in_force(sorted({i.family_id for i in invoices}), collection_date)
    debits = []
    for invoice in invoices:
        amount = invoice_outstanding(invoice)
        if invoice.family_id in mandates and amount > ZERO:
            debits.append(Debit(invoice, mandates[invoice.family_id], amount))
    return debits


def pain008(debits: list[Debit], collection_date: dt.date) -> tuple[str, bytes]:
    """The pain.008.001.02 file (message id, XML), validated against the XSD."""
    town = current_app.config.get("PORTAL_TOWN_NAME", "")
    document = SepaDD(creditor(), schema=SCHEMA, clean=True)
    created = local_now().replace(microsecond=0)
    document.msg_id = message_id(created)
    for debit in debits:
        mandate = debit.mandate
        document.add_payment({
            "name": mandate.holder_name,
            "IBAN": clean_iban(mandate.iban),
            "BIC": clean_bic(mandate.bic),
            "amount": int((debit.amount * 100).to_integral_value()),
            "type": mandate.sequence_type,
            "collection_date": collection_date,
            "mandate_id": mandate.rum,
            "mandate_date": mandate.signed_on,
            "description": f"{town} facture {debit.invoice.number}",
            "endtoend_id": debit.end_to_end_id,
        })
    try:
        xml = document.export(validate=True)
    except SepaValidationError as exc:
        raise SepaError(_l("Le fichier de prélèvement n'est pas conforme au schéma pain.008 : "
                           "vérifiez les mandats et les paramètres du créancier.")) from exc
    # sepaxml stamps the machine's clock; the file states the portal's (Paris, 24 hours).
    xml = _CREATED.sub(f"<CreDtTm>{created:%Y-%m-%dT%H:%M:%S}</CreDtTm>".encode(), xml, 1)
    return document.msg_id, xml


_CREATED = re.compile(rb"<CreDtTm>[^<]*</CreDtTm>")


def message_id(created: dt.datetime) -> str:
    """A unique MsgId on the 24-hour clock (sepaxml's own uses %I: 2 pm reads 02)."""
    return f"{created:%Y%m%d%H%M%S}-{secrets.token_hex(6)}"[:35]


@dataclass
class CreateSepaBatch(BaseCommand):
    """Build, validate (XSD) and record the month's batch; `run()` returns it. Raises
    SepaError. `recorded(batch)`, when given, is called last inside the batch's
    transaction (the background job checkpoints the batch it made: sepa_jobs.py)."""

    month: dt.date
    collection_date: dt.date
    user_id: int | None = None
    today: dt.date | None = None
    recorded: Callable[[SepaBatch], None] | None = None

    def validate(self) -> None:
        if self.collection_date <= (self.today or local_today()):
            message = _l("La date de prélèvement doit être postérieure à aujourd'hui.")
            raise SepaError(message, {"collection_date": message})
        if not due_debits(self.month, self.collection_date, lock=False):
            raise SepaError(_l("Aucune facture à prélever pour ce mois à cette date."))

    def run(self) -> SepaBatch:
        self.validate()
        with transaction():
            debits = due_debits(self.month, self.collection_date)
            if not debits:
                raise SepaError(_l("Aucune facture à prélever pour ce mois à cette date."))
            message_id, xml = pain008(debits, self.collection_date)
            batch = SepaBatch(
                message_id=message_id, period_start=self.month.replace(day=1),
                collection_date=self.collection_date, created_by_id=self.user_id,
                count=len(debits), total=sum((d.amount for d in debits), ZERO),
                xml=xml.decode("utf-8"),
            )
            db.session.add(batch)
            for debit in debits:
                _record(batch, debit, self.collection_date, self.user_id)
            if self.recorded is not None:
                db.session.flush()
                self.recorded(batch)
        return batch


def _record(batch: SepaBatch, debit: Debit, collection_date: dt.date,
            user_id: int | None) -> None:
    payment = Payment(
        family_id=debit.invoice.family_id, invoice=debit.invoice, amount=debit.amount,
        method=PaymentMethod.direct_debit, received_on=collection_date,
        reference=f"SEPA {debit.end_to_end_id}", recorded_by_id=user_id,
    )
    db.session.add(payment)
    batch.lines.append(SepaBatchLine(
        invoice=debit.invoice, family_id=debit.invoice.family_id, mandate=debit.mandate,
        amount=debit.amount, sequence_type=debit.mandate.sequence_type,
        end_to_end_id=debit.end_to_end_id, payment=payment,
    ))
    if debit.mandate.sequence_type == "FRST":
        debit.mandate.sequence_type = "RCUR"  # the next collections are recurring
    refresh_invoice_state(debit.invoice)


def default_collection_date(month: dt.date, today: dt.date | None = None) -> dt.date:
    """The latest due date of the month's debited invoices, and at least tomorrow."""
    tomorrow = (today or local_today()) + dt.timedelta(days=1)
    latest = db.session.scalar(
        select(Invoice.due_on).where(Invoice.period_start == month.replace(day=1),
                                     Invoice.direct_debit.is_(True))
        .order_by(Invoice.due_on.desc()).limit(1)
    )
    return max(latest or tomorrow, tomorrow)
