"""Builders for the back-office tests: a town with `n` complete families (every entity
the staff views list), so a test can compare a small town with a big one."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from app.extensions import db
from app.models import (
    Alert,
    AuditLog,
    AuthorizedPerson,
    Booking,
    Child,
    Closure,
    CreditNote,
    DocumentType,
    Enrolment,
    Family,
    FamilyDocument,
    Guardian,
    Invoice,
    InvoiceLine,
    News,
    Payment,
    PublishedDocument,
    QuotientFamilial,
    Request,
    RequestKind,
    School,
    SchoolYear,
    SepaMandate,
    Service,
    ServiceCapacity,
    ServiceKind,
    Tariff,
    TariffBracket,
)
from tests import factories as f

#: Every model `town` fills (a view of another model may have no row to show).
BUILT_MODELS = {
    Alert, AuditLog, AuthorizedPerson, Booking, Child, Closure, CreditNote, DocumentType,
    Enrolment, Family, FamilyDocument, Guardian, Invoice, InvoiceLine, News, Payment,
    PublishedDocument, QuotientFamilial, Request, School, SchoolYear, SepaMandate, Service,
    ServiceCapacity, Tariff, TariffBracket,
}


def reference_data() -> dict:
    """Two schools, two services, a school year, tariffs, document types, news…"""
    schools = [f.school("École Théodore Chalmel"), f.school("École Sainte-Thérèse")]
    canteen = f.service("cantine", ServiceKind.canteen, schools=schools)
    care = f.service("garderie-soir", ServiceKind.care_evening, schools=schools)
    year = f.school_year()
    for svc in (canteen, care):
        tariff = Tariff(service=svc, school_year=year, label=f"Tarif {svc.name}")
        tariff.brackets = [
            TariffBracket(qf_min=0, qf_max=600, unit_price=Decimal("1.00"),
                          unbooked_price=Decimal("2.00")),
            TariffBracket(qf_min=601, qf_max=None, unit_price=Decimal("4.15"),
                          unbooked_price=Decimal("6.00")),
        ]
        db.session.add(tariff)
    qf_type = DocumentType(code="qf", label="Attestation de quotient familial",
                           validity_months=12, required=True)
    db.session.add(qf_type)
    db.session.add(Closure(start_date=dt.date(2026, 11, 11), end_date=dt.date(2026, 11, 11),
                           reason="Armistice", school=schools[0], service=canteen))
    db.session.add(News(title="Rentrée", body="Bonne rentrée à tous", school=schools[0],
                        published_on=dt.date(2026, 9, 1)))
    db.session.add(PublishedDocument(title="Menus de septembre", category="menu",
                                     school=schools[1], original_filename="menus.pdf",
                                     stored_name="menus-0001", content_type="application/pdf",
                                     size=120_000, published_on=dt.date(2026, 8, 30)))
    db.session.commit()
    return {"schools": schools, "services": [canteen, care], "year": year,
            "document_type": qf_type}


def full_family(ref: dict, index: int, name: str | None = None):
    """A family with a guardian, two children, QF, enrolment, bookings, a request and its
    alert, an invoice with a payment and a credit note, a mandate, a document."""
    marker = name or f"Famille{index:03d}"
    school = ref["schools"][index % 2]
    canteen, care = ref["services"]
    fam = f.family(marker, school, children=2, username=f"parent{index}")
    kids = list(fam.children)
    db.session.add_all([
        QuotientFamilial(family=fam, value=500 + index, valid_from=dt.date(2026, 1, 1),
                         valid_to=dt.date(2026, 12, 31), source="Attestation CAF"),
        AuthorizedPerson(child=kids[0], full_name=f"Mamie {marker}", phone="0600000000"),
        SepaMandate(family=fam, rum=f"RUM{index:06d}", holder_name=marker,
                    iban="FR7630006000011234567890189", bic="AGRIFRPP",
                    signed_on=dt.date(2026, 9, 1)),
        FamilyDocument(family=fam, child=kids[0], document_type=ref["document_type"],
                       original_filename=f"qf-{index}.pdf", stored_name=f"doc-{index:06d}",
                       content_type="application/pdf", size=2048),
    ])
    db.session.commit()
    enrolment = f.enrolment(fam, kids[0], canteen)
    booking = f.booking(fam, kids[0], canteen, dt.date(2026, 9, 14))
    f.booking(fam, kids[1], care, dt.date(2026, 9, 15))
    request = Request(family=fam, child=kids[0], kind=RequestKind.booking,
                      summary=f"Demande {marker}", booking=booking, enrolment=enrolment)
    db.session.add(request)
    db.session.add(Alert(family=fam, request=request, title=f"Alerte {marker}", message="…"))
    invoice = f.invoice(fam, kids[0], canteen)
    f.payment(fam, invoice)
    db.session.add(CreditNote(number=f"AV-2026-{index:06d}", invoice=invoice, family=fam,
                              issued_on=dt.date(2026, 10, 15), amount=Decimal("4.15"),
                              reason="Absence excusée"))
    db.session.add(AuditLog(username="agent", action="update", table_name="family",
                            object_id=str(fam.id),
                            changes=json.dumps({"phone": ["0299000000", "0299111111"]})))
    db.session.commit()
    return fam


def existing_reference() -> dict:
    """The rows `reference_data` built, read back (in a new app context)."""
    return {
        "schools": db.session.query(School).order_by(School.id).limit(2).all(),
        "services": db.session.query(Service).order_by(Service.id).limit(2).all(),
        "year": db.session.query(SchoolYear).order_by(SchoolYear.id).first(),
        "document_type": db.session.query(DocumentType).order_by(DocumentType.id).first(),
    }


def town(families: int) -> dict:
    ref = reference_data()
    ref["families"] = [full_family(ref, i) for i in range(families)]
    return ref


def more_reference(ref: dict, count: int) -> None:
    """`count` more of every kind of reference row: schools, services with capacities,
    school years with tariffs and brackets, closures, news, documents…"""
    for i in range(count):
        school = f.school(f"École annexe {i}")
        service = f.service(f"svc-extra-{i}", ServiceKind.care_morning,
                            schools=[school, ref["schools"][0]])
        year = SchoolYear(label=f"{2030 + i}-{2031 + i}", start_date=dt.date(2030 + i, 9, 1),
                          end_date=dt.date(2031 + i, 7, 3))
        db.session.add(year)
        for svc in [*ref["services"], service]:
            db.session.add(Tariff(service=svc, school_year=year, label=f"Tarif {i}", brackets=[
                TariffBracket(qf_min=0, qf_max=700, unit_price=Decimal("1.50"),
                              unbooked_price=Decimal("3.00")),
            ]))
        db.session.add_all([
            Closure(start_date=dt.date(2026, 12, 1 + i % 20), end_date=dt.date(2026, 12, 21),
                    reason=f"Fermeture {i}", school=school, service=service),
            News(title=f"Actualité {i}", body="…", school=school, published_on=dt.date(2026, 9, 2)),
            PublishedDocument(title=f"Menu {i}", category="menu", school=school,
                              original_filename="m.pdf", stored_name=f"menu-extra-{i:05d}",
                              content_type="application/pdf", size=1000,
                              published_on=dt.date(2026, 9, 2)),
            DocumentType(code=f"type{i}", label=f"Justificatif {i}"),
        ])
        db.session.commit()
