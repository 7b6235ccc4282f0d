"""Attestation fiscale (frais de garde des enfants de moins de 6 ans) for a year N.

What it counts, per child: the amounts the family paid during N (payments received from
1 January to 31 December N) for the accueil périscolaire (services with `is_childcare`),
for each child under 6 on 1 January N (born after 1 January N−6). Meals never count.

How a payment is shared out — the rule, since a payment settles a whole invoice that may
mix canteen and care:
- CESU pay childcare only (app.services.payments.offline), so a CESU payment goes wholly to
  the invoice's childcare lines;
- every other payment on an invoice is shared in the proportion of the childcare amount
  still to settle once the CESU are counted: (C − CESU) / (T − CESU), with T the invoice's
  lines total, C its childcare lines total and CESU what CESU paid on it. A fully paid
  invoice thus attributes exactly C to childcare, whatever the order of its payments;
- the childcare part of a payment is shared among the childcare lines in proportion to
  their amounts (one line = one child × one service); lines of children 6 or older are
  left out.
Amounts are summed exactly and rounded to the cent once per child. Payments with no
invoice (none is recorded by the portal) cannot be attributed and are left out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from xhtml2pdf import pisa

from ...extensions import db
from ...models import (
    Child,
    Family,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Service,
    TaxCertificate,
)
from ...models.base import utcnow
from ..billing.fr import euros
from ..billing.snapshot import town_details
from ..calendar import local_today
from ..issued_pdfs import store, stored_or_render
from ..money import to_money
from .balance import ZERO


def under_six_cutoff(year: int) -> dt.date:
    """A child is under 6 on 1 January `year` when born after this date."""
    return dt.date(year - 6, 1, 1)


@dataclass
class ChildAmount:
    child_id: int
    name: str
    birth_date: dt.date
    amount: Decimal = ZERO
    cesu: Decimal = ZERO


@dataclass
class CertificateFigures:
    family_id: int
    year: int
    children: list[ChildAmount] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.children), ZERO)


def _care_lines(invoice: Invoice) -> list[InvoiceLine]:
    return [line for line in invoice.lines if line.service is not None
            and line.service.is_childcare]


def _childcare_share(payment: Payment, invoice: Invoice) -> Decimal:
    """The part of `payment` that paid childcare on its invoice (exact, not rounded)."""
    total = sum((to_money(line.amount) for line in invoice.lines), ZERO)
    care = sum((to_money(line.amount) for line in _care_lines(invoice)), ZERO)
    if total <= ZERO or care <= ZERO:
        return ZERO
    cesu_paid = sum(
        (to_money(p.amount) for p in invoice.payments if p.method == PaymentMethod.cesu), ZERO
    )
    cesu = min(cesu_paid, care)  # CESU never pay more than the care (checked when recorded)
    amount = to_money(payment.amount)
    if payment.method == PaymentMethod.cesu:
        return amount * cesu / cesu_paid
    if total - cesu <= ZERO:
        return ZERO
    return amount * (care - cesu) / (total - cesu)


def _year_payments(family_id: int, year: int) -> list[Payment]:
    return (
        db.session.query(Payment)
        .filter(Payment.family_id == family_id, Payment.invoice_id.is_not(None),
                Payment.received_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .options(
            selectinload(Payment.invoice).selectinload(Invoice.lines)
            .selectinload(InvoiceLine.service),
            selectinload(Payment.invoice).selectinload(Invoice.lines)
            .selectinload(InvoiceLine.child),
            selectinload(Payment.invoice).selectinload(Invoice.payments),
        )
        .order_by(Payment.received_on, Payment.id)
        .all()
    )


def certificate_figures(family_id: int, year: int) -> CertificateFigures:
    cutoff = under_six_cutoff(year)
    exact: dict[int, Decimal] = defaultdict(lambda: ZERO)
    cesu: dict[int, Decimal] = defaultdict(lambda: ZERO)
    children: dict[int, Child] = {}
    for payment in _year_payments(family_id, year):
        invoice = payment.invoice
        share = _childcare_share(payment, invoice)
        care_lines = _care_lines(invoice)
        care = sum((to_money(line.amount) for line in care_lines), ZERO)
        if share <= ZERO or care <= ZERO:
            continue
        for line in care_lines:
            child = line.child
            if child is None or child.birth_date <= cutoff:
                continue
            part = share * to_money(line.amount) / care
            children[child.id] = child
            exact[child.id] += part
            if payment.method == PaymentMethod.cesu:
                cesu[child.id] += part
    figures = CertificateFigures(family_id=family_id, year=year)
    for child_id, child in sorted(children.items(), key=lambda kv: (kv[1].birth_date, kv[0])):
        amount = to_money(exact[child_id])
        if amount > ZERO:
            figures.children.append(ChildAmount(
                child_id=child_id, name=f"{child.first_name} {child.last_name}",
                birth_date=child.birth_date, amount=amount,
                cesu=to_money(cesu[child_id]),
            ))
    return figures


def eligible_family_ids(year: int) -> list[int]:
    """Families that paid childcare in `year` for a child under 6 on 1 January (a superset:
    the figures decide)."""
    query = (
        select(Payment.family_id).distinct()
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Service, Service.id == InvoiceLine.service_id)
        .join(Child, Child.id == InvoiceLine.child_id)
        .where(Payment.received_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
               Service.is_childcare.is_(True), Child.birth_date > under_six_cutoff(year))
        .order_by(Payment.family_id)
    )
    return list(db.session.scalars(query))


# --- the PDF ------------------------------------------------------------------------------


def render_pdf(family: Family, figures: CertificateFigures, issued_on: dt.date) -> bytes:
    with force_locale("fr"):
        html = current_app.jinja_env.get_template(
            "pdf/tax_certificate.html"
        ).render(family=family, figures=figures, structure=town_details(), issued_on=issued_on,
                 euros=euros, cutoff=under_six_cutoff(figures.year))
    buffer = io.BytesIO()
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"Attestation fiscale {figures.year} : PDF en erreur")
    return buffer.getvalue()


def issued_certificate_pdf(row: TaxCertificate) -> bytes:
    """What the downloads serve: the PDF stored when the certificate was issued."""
    return stored_or_render("tax_certificate", row.id, lambda: row.pdf)


def issue_certificate(family_id: int, year: int) -> TaxCertificate | None:
    """Compute, render and store (or refresh) the family's certificate for `year`; None
    when nothing counts. The caller commits."""
    figures = certificate_figures(family_id, year)
    existing = db.session.scalars(
        select(TaxCertificate).where(TaxCertificate.family_id == family_id,
                                     TaxCertificate.year == year)
    ).first()
    if figures.total <= ZERO:
        return existing
    family = db.session.get(Family, family_id)
    row = existing or TaxCertificate(family_id=family_id, year=year)
    row.total = figures.total
    row.details = json.dumps([
        {"child_id": c.child_id, "name": c.name, "birth_date": c.birth_date.isoformat(),
         "amount": str(c.amount), "cesu": str(c.cesu)} for c in figures.children
    ], ensure_ascii=False)
    row.pdf = render_pdf(family, figures, local_today())
    row.generated_at = utcnow()
    db.session.add(row)
    db.session.flush()
    store("tax_certificate", row.id, row.pdf, replace=True)  # issued again: its new PDF
    return row


def certificate_years(today: dt.date, first_year: int | None = None) -> list[int]:
    """Completed years a family may ask a certificate for (most recent first)."""
    last = today.year - 1
    first = first_year if first_year is not None else last - 4
    return list(range(last, first - 1, -1))
