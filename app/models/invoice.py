"""Invoices (never edited once issued), credit notes, payments, SEPA mandates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, Money, user_fk, utcnow


class InvoiceState(LabelledEnum):
    issued = "issued"
    payment_pending = "payment_pending"
    paid = "paid"
    cancelled = "cancelled"  # fully credited


InvoiceState.LABELS = {
    InvoiceState.issued: _l("À payer"),
    InvoiceState.payment_pending: _l("Paiement en cours"),
    InvoiceState.paid: _l("Payée"),
    InvoiceState.cancelled: _l("Annulée par avoir"),
}


class PaymentMethod(LabelledEnum):
    card = "card"
    cheque = "cheque"
    cash = "cash"
    cesu = "cesu"
    transfer = "transfer"
    direct_debit = "direct_debit"
    credit = "credit"  # the family's credit (trop-perçu) used against this invoice


PaymentMethod.LABELS = {
    PaymentMethod.card: _l("Carte bancaire (PayFiP)"),
    PaymentMethod.cheque: _l("Chèque"),
    PaymentMethod.cash: _l("Espèces"),
    PaymentMethod.cesu: _l("CESU"),
    PaymentMethod.transfer: _l("Virement"),
    PaymentMethod.direct_debit: _l("Prélèvement SEPA"),
    PaymentMethod.credit: _l("Avoir de trop-perçu"),
}


class DocumentSequence(Model):
    """Gap-free numbering: one counter per kind (FAC, AV) and year, incremented in the
    same transaction as the document it numbers."""

    __tablename__ = "document_sequence"
    __table_args__ = (UniqueConstraint("prefix", "year"),)
    id = Column(Integer, primary_key=True)
    prefix = Column(String(8), nullable=False)
    year = Column(Integer, nullable=False)
    last_number = Column(Integer, nullable=False, default=0)


class Invoice(Model):
    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("family_id", "period_start", name="uq_invoice_family_month"),
        # The staff list's order, with FAB's tie-breaker (a month's 12,000 invoices share
        # their issue date).
        Index("ix_invoice_issued_on_id", "issued_on", "id"),
    )
    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True, nullable=False)  # FAC-2026-000001
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    period_start = Column(Date, nullable=False)  # first day of the billed month
    issued_on = Column(Date, nullable=False)
    due_on = Column(Date, nullable=False)
    total = Column(Money, nullable=False)
    state = Column(String(16), nullable=False, default=InvoiceState.issued, index=True)
    direct_debit = Column(Boolean, nullable=False, default=False)
    # JSON of everything the PDF shows, written once at issue (debtor, address, lines,
    # prices, totals, due date, letterhead): the document never follows later changes.
    snapshot = Column(Text)

    family = relationship("Family")
    lines = relationship("InvoiceLine", back_populates="invoice", cascade="all, delete-orphan")
    payments = relationship("Payment", back_populates="invoice")
    credit_notes = relationship("CreditNote", back_populates="invoice")

    def __repr__(self) -> str:
        return self.number


class InvoiceLine(Model):
    __tablename__ = "invoice_line"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(
        Integer, ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
    )
    child_id = Column(Integer, ForeignKey("child.id"))
    service_id = Column(Integer, ForeignKey("service.id"))
    label = Column(String(255), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Money, nullable=False)
    amount = Column(Money, nullable=False)

    invoice = relationship("Invoice", back_populates="lines")
    child = relationship("Child")
    service = relationship("Service")

    def __repr__(self) -> str:
        return self.label


class CreditNote(Model):
    """Avoir: the only way to correct an issued invoice."""

    __tablename__ = "credit_note"
    __table_args__ = (Index("ix_credit_note_issued_on_id", "issued_on", "id"),)  # list order
    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True, nullable=False)  # AV-2026-000001
    invoice_id = Column(Integer, ForeignKey("invoice.id"), nullable=False, index=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    issued_on = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)
    reason = Column(Text, nullable=False)
    created_by_id = user_fk()
    snapshot = Column(Text)  # JSON: what the credit note shows, frozen when it is issued

    invoice = relationship("Invoice", back_populates="credit_notes")
    family = relationship("Family")

    def __repr__(self) -> str:
        return self.number


class Payment(Model):
    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_received_on_id", "received_on", "id"),)  # list order
    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    invoice_id = Column(Integer, ForeignKey("invoice.id"), index=True)
    amount = Column(Money, nullable=False)
    method = Column(String(16), nullable=False)
    received_on = Column(Date, nullable=False)
    reference = Column(String(120))  # cheque number, PayFiP transaction id…
    comment = Column(Text)
    recorded_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # Staff recorded it while an online payment was in progress (audited, shown).
    override_reason = Column(Text)

    family = relationship("Family")
    invoice = relationship("Invoice", back_populates="payments")

    def __repr__(self) -> str:
        return f"{self.amount} € — {self.received_on:%d/%m/%Y}"


class SepaMandate(Model):
    __tablename__ = "sepa_mandate"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    rum = Column(String(35), unique=True, nullable=False)  # Référence unique de mandat
    holder_name = Column(String(140), nullable=False)
    iban = Column(String(34), nullable=False)
    bic = Column(String(11), nullable=False)
    signed_on = Column(Date, nullable=False)
    sequence_type = Column(String(4), nullable=False, default="FRST")  # FRST then RCUR
    active = Column(Boolean, nullable=False, default=True)
    revoked_on = Column(Date)

    family = relationship("Family")

    def __repr__(self) -> str:
        return self.rum


class CreditKind(LabelledEnum):
    overpayment = "overpayment"  # money received beyond what the invoice owed
    allocation = "allocation"  # credit used against a later invoice
    refund = "refund"  # credit paid back to the family


CreditKind.LABELS = {
    CreditKind.overpayment: _l("Trop-perçu"),
    CreditKind.allocation: _l("Imputation sur facture"),
    CreditKind.refund: _l("Remboursement"),
}


class FamilyCredit(Model):
    """Avoir de trop-perçu: one movement of a family's credit (always a positive amount;
    overpayments add, allocations and refunds take away)."""

    __tablename__ = "family_credit"
    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("family.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    amount = Column(Money, nullable=False)
    # overpayment: the invoice paid twice; allocation: the invoice the credit pays.
    invoice_id = Column(Integer, ForeignKey("invoice.id"), index=True)
    payment_id = Column(Integer, ForeignKey("payment.id", ondelete="SET NULL"))
    on_date = Column(Date, nullable=False)
    refund_holder = Column(String(140))
    refund_iban = Column(String(34))
    refund_reference = Column(String(120))
    comment = Column(Text)
    recorded_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow)

    family = relationship("Family")
    invoice = relationship("Invoice")
    payment = relationship("Payment")

    def __repr__(self) -> str:
        return f"{self.kind} {self.amount} €"
