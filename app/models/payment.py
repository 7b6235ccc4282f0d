"""Online payment transactions, payment reminders, SEPA direct-debit batches and yearly tax
certificates (app.services.payments)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import backref, relationship

from .base import LabelledEnum, Model, Money, user_fk, utcnow


class TransactionState(LabelledEnum):
    pending = "pending"  # sent to the payment service, no verified answer yet
    paid = "paid"
    refused = "refused"
    abandoned = "abandoned"  # cancelled by the payer, or expired
    error = "error"


TransactionState.LABELS = {
    TransactionState.pending: _l("En cours"),
    TransactionState.paid: _l("Payé"),
    TransactionState.refused: _l("Refusé"),
    TransactionState.abandoned: _l("Abandonné"),
    TransactionState.error: _l("Erreur"),
}


class PaymentTransaction(Model):
    """One attempt to pay an invoice online. A verified "paid" notification creates exactly
    one Payment (payment_id is unique); the amount is the invoice's outstanding amount when
    the attempt started."""

    __tablename__ = "payment_transaction"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("invoice.id"), nullable=False, index=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    backend = Column(String(20), nullable=False)  # eopayment kind: payfip_ws, dummy
    # The invoice's reference sent to the service (PayFiP's REFDET: [A-Za-z0-9]{1,30}).
    reference = Column(String(30), nullable=False)
    # The service's id for the attempt (PayFiP's idOp); set once the service answered.
    transaction_id = Column(String(64), unique=True)
    amount = Column(Money, nullable=False)
    state = Column(String(10), nullable=False, default=TransactionState.pending, index=True)
    bank_status = Column(String(255))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    notified_at = Column(DateTime)
    raw_response = Column(Text)  # JSON of the verified answer, kept for audit
    # Kept when staff delete the payment (a card payment disputed and refunded).
    payment_id = Column(Integer, ForeignKey("payment.id", ondelete="SET NULL"), unique=True)
    started_by_id = user_fk()

    invoice = relationship("Invoice")
    family = relationship("Family")
    # The backref lets the ORM unlink the row when the payment is deleted (SQLite too).
    payment = relationship("Payment", backref=backref("online_transaction", uselist=False))

    def __repr__(self) -> str:
        return f"{self.reference} {self.amount} € ({self.state})"


class PaymentReminder(Model):
    """A reminder mail about an unpaid invoice (relance)."""

    __tablename__ = "payment_reminder"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("invoice.id"), nullable=False, index=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    sent_at = Column(DateTime, nullable=False, default=utcnow)
    amount_due = Column(Money, nullable=False)
    sent_by_id = user_fk()

    invoice = relationship("Invoice")

    def __repr__(self) -> str:
        return f"{self.invoice} {self.sent_at:%d/%m/%Y}"


class SepaBatch(Model):
    """A pain.008 file: the direct debits of one month's invoices, kept as sent."""

    __tablename__ = "sepa_batch"
    id = Column(Integer, primary_key=True)
    message_id = Column(String(35), unique=True, nullable=False)
    period_start = Column(Date, nullable=False, index=True)  # the invoices' month
    collection_date = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by_id = user_fk()
    count = Column(Integer, nullable=False)
    total = Column(Money, nullable=False)
    xml = Column(Text, nullable=False)

    lines = relationship("SepaBatchLine", back_populates="batch", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"{self.message_id} ({self.period_start:%m/%Y})"


class SepaBatchLine(Model):
    __tablename__ = "sepa_batch_line"
    id = Column(Integer, primary_key=True)
    batch_id = Column(
        Integer, ForeignKey("sepa_batch.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # An invoice is debited once.
    invoice_id = Column(Integer, ForeignKey("invoice.id"), nullable=False, unique=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    mandate_id = Column(Integer, ForeignKey("sepa_mandate.id"), nullable=False)
    # Kept when staff delete the payment: a debit the bank rejected.
    payment_id = Column(Integer, ForeignKey("payment.id", ondelete="SET NULL"), unique=True)
    amount = Column(Money, nullable=False)
    sequence_type = Column(String(4), nullable=False)
    end_to_end_id = Column(String(35), nullable=False)

    batch = relationship("SepaBatch", back_populates="lines")
    invoice = relationship("Invoice")
    mandate = relationship("SepaMandate")
    payment = relationship("Payment", backref=backref("sepa_line", uselist=False))

    def __repr__(self) -> str:
        return self.end_to_end_id


class TaxCertificate(Model):
    """Attestation fiscale of a family for a year: the figures and the PDF as issued."""

    __tablename__ = "tax_certificate"
    __table_args__ = (UniqueConstraint("family_id", "year"),)
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    year = Column(Integer, nullable=False)
    total = Column(Money, nullable=False)
    details = Column(Text, nullable=False)  # JSON: per child amounts
    pdf = Column(LargeBinary, nullable=False)
    generated_at = Column(DateTime, nullable=False, default=utcnow)
    mailed_at = Column(DateTime)

    family = relationship("Family")

    def __repr__(self) -> str:
        return f"Attestation {self.year}"


__all__ = [
    "PaymentReminder",
    "PaymentTransaction",
    "SepaBatch",
    "SepaBatchLine",
    "TaxCertificate",
    "TransactionState",
]
