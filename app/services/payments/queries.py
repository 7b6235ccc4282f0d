"""What the parent's Finances page reads (no writing here): its invoices with their
balance and state, its payments and attestations fiscales, and the years it may still ask
an attestation for. Every query is scoped to the given families."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Child, Invoice, InvoiceLine, Payment, Service, TaxCertificate
from ...security.scope import family_clause
from .balance import InvoiceStatus, load_invoices, statuses
from .tax_certificate import certificate_years, under_six_cutoff


def family_invoices(family_ids: Iterable[int]) -> list[InvoiceStatus]:
    """The families' invoices, the latest first, with what each still owes."""
    query = (
        db.session.query(Invoice)
        .filter(family_clause(Invoice, family_ids))
        .options(selectinload(Invoice.lines).selectinload(InvoiceLine.service))
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
    )
    return statuses(load_invoices(query))


def family_payments(family_ids: Iterable[int]) -> list[Payment]:
    return (
        db.session.query(Payment).filter(family_clause(Payment, family_ids))
        .options(selectinload(Payment.invoice))
        .order_by(Payment.received_on.desc(), Payment.id.desc()).all()
    )


def family_certificates(family_ids: Iterable[int]) -> list[TaxCertificate]:
    return (
        db.session.query(TaxCertificate).filter(family_clause(TaxCertificate, family_ids))
        .order_by(TaxCertificate.year.desc()).all()
    )


def certificate_offers(family_ids: list[int], stored: list[TaxCertificate],
                       today: dt.date) -> list[int]:
    """Completed years for which the family paid childcare for a child under 6 and has no
    certificate yet (one query)."""
    rows = db.session.execute(
        select(Payment.received_on, Child.birth_date).distinct()
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Service, Service.id == InvoiceLine.service_id)
        .join(Child, Child.id == InvoiceLine.child_id)
        .where(Payment.family_id.in_(family_ids or [-1]), Service.is_childcare.is_(True),
               Payment.received_on < dt.date(today.year, 1, 1))
    ).all()
    have = {(c.family_id, c.year) for c in stored}
    years = {
        received.year for received, born in rows if born > under_six_cutoff(received.year)
    }
    allowed = set(certificate_years(today))
    return sorted(
        (y for y in years & allowed
         if any((family_id, y) not in have for family_id in family_ids)),
        reverse=True,
    )
