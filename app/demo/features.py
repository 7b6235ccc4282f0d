"""What landed after the first demo, each shown in the shop window: documents sent by a
family (one to review, one accepted), documents published by the town, a SEPA mandate and
a 2025 attestation fiscale.

Everything goes through the services parents and staff use (documents stored as real PDFs
under PORTAL_UPLOAD_DIR, mandates checked like the staff form does). Idempotent: family
items are added with their family (`built` holds only families written by this run),
published documents are found by title first.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from flask_babel import format_date
from werkzeug.datastructures import FileStorage
from xhtml2pdf import pisa

from ..extensions import db
from ..models import (
    DocumentState,
    DocumentType,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PublishedDocument,
    RequestState,
    SepaMandate,
    StructureInfo,
)
from ..models.base import utcnow
from ..services.billing.numbering import INVOICE_PREFIX, reserve_numbers
from ..services.billing.snapshot import freeze_invoices
from ..services.calendar import local_today
from ..services.documents import (
    default_validity,
    pending_request,
    publish_document,
    send_family_document,
)
from ..services.payments.balance import refresh_invoice_state
from ..services.payments.sepa import check_mandate
from ..services.payments.tax_certificate import issue_certificate
from . import documents as demo_documents
from .days import Period, month_start
from .families import Built
from .people import CARE_EVENING
from .town import Town

#: The featured family paying by SEPA direct debit (its invoices are announced as debits).
SEPA_RUM = "SPF-2026-0007"
TAX_YEAR = 2025


def pdf_upload(filename: str, title: str, body: str) -> FileStorage:
    """A small real PDF, as a browser would upload it."""
    buffer = io.BytesIO()
    html = (f"<html><head><meta charset='utf-8'></head><body><h1>{title}</h1>"
            f"<p>{body}</p></body></html>")
    if pisa.CreatePDF(html, dest=buffer, encoding="utf-8").err:
        raise RuntimeError(f"PDF de démonstration en erreur : {filename}")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=filename, content_type="application/pdf")


def _type(code: str) -> DocumentType:
    return db.session.query(DocumentType).filter_by(code=code).one()


# --- documents sent by the Martin family --------------------------------------------------


def family_documents(martin: Built, decider_id: int | None, just_now: dt.datetime) -> None:
    """Claire Martin's CAF attestation, accepted last month, and Hugo's medical certificate
    (for his PAI), sent just now and waiting for staff."""
    user_id = martin.users[0].id
    qf = send_family_document(
        martin.family.id, _type("attestation_qf").id, None,
        pdf_upload("attestation-caf-martin.pdf", "Attestation de quotient familial",
                   "Famille Martin — quotient familial : 735"), user_id)
    sent = just_now - dt.timedelta(days=35)
    qf.uploaded_at = sent
    qf.state = DocumentState.accepted
    qf.valid_from = sent.date()
    qf.valid_until = default_validity(qf, qf.valid_from)
    qf.reviewed_by_id, qf.reviewed_at = decider_id, sent + dt.timedelta(hours=20)
    request = pending_request(qf)
    request.created_at = sent
    request.state, request.decided_by_id, request.decided_at = (
        RequestState.validated, decider_id, qf.reviewed_at)

    hugo = martin.children["martin-hugo"]
    certificate = send_family_document(
        martin.family.id, _type("certificat_medical").id, hugo.id,
        pdf_upload("certificat-medical-hugo.pdf", "Certificat médical",
                   "Hugo Martin — allergie à l'arachide (PAI)."), user_id)
    certificate.uploaded_at = just_now
    pending_request(certificate).created_at = just_now


# --- documents published by the town -------------------------------------------------------


def published_documents(town: Town, period: Period, agent_id: int | None) -> None:
    # Late in the month, next month's menus are already out.
    month = month_start(period.anchor)
    if period.anchor.day >= 20:
        month = month_start(month + dt.timedelta(days=32))
    following = month_start(month + dt.timedelta(days=32))
    in_force = min(town.year.start_date - dt.timedelta(days=14), period.today)
    documents = (
        (f"Menus de {format_date(month, 'MMMM')}", "menu", following,
         lambda: demo_documents.menus_pdf(month, f"menus-{month:%Y-%m}.pdf"),
         min(month - dt.timedelta(days=10), period.today)),
        ("Règlement intérieur de la restauration scolaire", "reglement", None,
         lambda: demo_documents.reglement_pdf("reglement-restauration.pdf"), in_force),
        (f"Tarifs {town.year.label}", "tarifs", None,
         lambda: demo_documents.tariffs_pdf(town.year.label, f"tarifs-{town.year.label}.pdf"),
         in_force),
    )
    if db.session.query(StructureInfo.id).first() is None:
        db.session.add(demo_documents.structure_info())
    for title, category, unpublished_on, make_pdf, published_on in documents:
        if db.session.query(PublishedDocument.id).filter_by(title=title).first():
            continue
        publish_document(title, category, None, make_pdf(), published_on, unpublished_on,
                         agent_id)


# --- SEPA direct debit -------------------------------------------------------------------------


def sepa_mandate(legall: Built, town: Town, period: Period) -> None:
    """Signed before the first billed month: the billing announces the invoices as debits."""
    mandate = SepaMandate(
        family_id=legall.family.id, rum=SEPA_RUM, holder_name="Yann Le Gall",
        iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP", sequence_type="FRST",
        signed_on=min(town.year.start_date - dt.timedelta(days=10), period.today))
    check_mandate(mandate, period.today)
    db.session.add(mandate)


# --- attestation fiscale ----------------------------------------------------------------


def tax_certificate(legall: Built, town: Town, agent_id: int | None) -> None:
    """Jade (under 6 on 1 January 2025) went to the after-school care in November 2025:
    the invoice paid in December 2025 makes the family's 2025 attestation fiscale."""
    jade = legall.children["legall-jade"]
    service = town.services[CARE_EVENING]
    unit, days = Decimal("2.90"), 12
    line = InvoiceLine(child_id=jade.id, service_id=service.id, quantity=days,
                       unit_price=unit, amount=unit * days,
                       label=f"Jade Le Gall — {service.name} — novembre 2025")
    invoice = Invoice(number=reserve_numbers(INVOICE_PREFIX, TAX_YEAR, 1)[0],
                      family_id=legall.family.id, period_start=dt.date(2025, 11, 1),
                      issued_on=dt.date(2025, 12, 1), due_on=dt.date(2025, 12, 31),
                      total=line.amount, lines=[line], family=legall.family)
    db.session.add(invoice)
    freeze_invoices([invoice])
    db.session.add(Payment(family_id=legall.family.id, invoice=invoice, amount=invoice.total,
                           method=PaymentMethod.cheque, received_on=dt.date(2025, 12, 9),
                           reference="Chèque n° 4417203", recorded_by_id=agent_id))
    refresh_invoice_state(invoice)
    issue_certificate(legall.family.id, TAX_YEAR)


def before_billing(built: list[Built], town: Town, period: Period) -> None:
    if legall := _featured(built, 2):
        sepa_mandate(legall, town, period)


def after_billing(built: list[Built], town: Town, period: Period, agent_id: int | None,
                  decider_id: int | None) -> None:
    published_documents(town, period, agent_id)
    if martin := _featured(built, 1):
        family_documents(martin, decider_id, _just_now(period))
    legall = _featured(built, 2)
    if legall and period.today > dt.date(TAX_YEAR + 1, 1, 1):
        tax_certificate(legall, town, agent_id)
    from .integrity import year_without_surprises

    year_without_surprises(built, period, _just_now(period))


def _featured(built: list[Built], index: int) -> Built | None:
    return next((item for item in built if item.spec.index == index), None)


def _just_now(period: Period) -> dt.datetime:
    """As the stories date pending requests: a moment ago, or mid-morning of a simulated day."""
    if period.today == local_today():
        return utcnow() - dt.timedelta(minutes=10)
    return dt.datetime.combine(period.today, dt.time(10, 30))
