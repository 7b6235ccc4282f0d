"""The finances' user actions as commands (app.services.command): staff record a payment,
a family asks for its attestation fiscale, a manager launches the year's attestations.
Each `validate()` gathers every problem before anything is written; `run()` is one
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from ...models import Payment, TaxCertificate
from ..command import BaseCommand
from ..errors import ErrorCollector, transaction
from ..money import AmountError, parse_amount
from .offline import STAFF_METHODS, PaymentError, record_payment
from .tasks import launch_tax_certificates
from .tax_certificate import certificate_years, issue_certificate


@dataclass
class RecordPayment(BaseCommand):
    """A cheque, cash, CESU or transfer payment on one of the family's invoices. `amount`:
    a Decimal, or the French text typed ("1 234,50"); None for what was left empty."""

    family_id: int
    invoice_id: int | None
    amount: Decimal | str | None
    method: str | None
    received_on: dt.date | None
    reference: str | None = None
    comment: str | None = None
    user_id: int | None = None
    override_reason: str | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        if isinstance(self.amount, str) and self.amount.strip():
            try:
                self.amount = parse_amount(self.amount)
            except AmountError as refused:
                errors.add(refused.message, "amount")
        elif not isinstance(self.amount, Decimal):
            errors.add(_("Indiquez le montant (par exemple 12,50)."), "amount")
        if self.received_on is None:
            errors.add(_("Indiquez la date de réception."), "received_on")
        if self.method not in STAFF_METHODS:
            errors.add(_("Choisissez le mode de paiement."), "method")
        errors.raise_if_any(PaymentError)

    def run(self) -> Payment:
        """The invoice's rules (rest to pay, CESU for childcare…) are checked on the locked
        invoice by `record_payment`, which commits the payment and the invoice's state."""
        self.validate()
        return record_payment(self.family_id, self.invoice_id or 0, self.amount, self.method,
                              self.received_on, self.reference, self.comment,
                              user_id=self.user_id, override_reason=self.override_reason)


@dataclass
class IssueTaxCertificates(BaseCommand):
    """A family asks for a completed year's attestation fiscale (for each of its families:
    a guardian of two families gets both)."""

    family_ids: list[int]
    year: int | None
    today: dt.date

    def validate(self) -> None:
        errors = ErrorCollector()
        if self.year not in certificate_years(self.today):
            errors.add(_("Choisissez une année terminée."), "year")
        errors.raise_if_any()

    def run(self) -> list[TaxCertificate]:
        """The certificates made (none when no amount counts for the year)."""
        self.validate()
        with transaction():
            made = [issue_certificate(family_id, self.year) for family_id in self.family_ids]
        return [row for row in made if row is not None]


@dataclass
class LaunchTaxCertificates(BaseCommand):
    """A manager makes the year's attestations of every family, in background chunks."""

    year: int | None
    notify: bool
    today: dt.date

    def validate(self) -> None:
        errors = ErrorCollector()
        if self.year not in certificate_years(self.today):
            errors.add(_("Choisissez une année terminée."), "year")
        errors.raise_if_any()

    def run(self) -> int:
        """The number of families concerned."""
        self.validate()
        with transaction():  # the tasks use their own sessions: end this one first
            pass
        return launch_tax_certificates(self.year, notify=self.notify)
