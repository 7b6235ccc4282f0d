"""Two families with a full set of rows each. Every text of family B contains the marker
"Zebulon", so any response that shows B's data to A's parent is caught by a substring test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from app.extensions import db
from app.models import (
    AuthorizedPerson,
    DocumentType,
    FamilyDocument,
    QuotientFamilial,
    SepaMandate,
)
from tests import factories as f

MARKER = "Zebulon"


@dataclass
class FamilyRows:
    family: object
    username: str
    ids: dict[type, list[int]] = field(default_factory=dict)
    user_id: int | None = None
    stored_names: list[str] = field(default_factory=list)


def _add(rows: FamilyRows, obj) -> None:
    rows.ids.setdefault(type(obj), []).append(obj.id)


def build_family(marker: str, username: str, school, service, doc_type) -> FamilyRows:
    fam = f.family(marker, school, children=2, username=username, marker=marker)
    rows = FamilyRows(family=fam, username=username)
    _add(rows, fam)
    for guardian in fam.guardians:
        _add(rows, guardian)
        rows.user_id = guardian.user_id
    day = dt.date(2026, 11, 26)
    for kid in fam.children:
        _add(rows, kid)
        person = AuthorizedPerson(child=kid, full_name=f"Mamie {marker}", phone="0600000000")
        db.session.add(person)
        db.session.commit()
        _add(rows, person)
        _add(rows, f.enrolment(fam, kid, service))
        _add(rows, f.booking(fam, kid, service, day))
        _add(rows, f.request_row(fam, kid, summary=f"Demande {marker}"))
    kid = fam.children[0]
    _add(rows, f.alert(fam, title=f"Alerte {marker}"))
    invoice = f.invoice(fam, kid, service)
    _add(rows, invoice)
    for line in invoice.lines:
        _add(rows, line)
    _add(rows, f.payment(fam, invoice))
    qf = QuotientFamilial(
        family=fam,
        value=612,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        source=f"CAF {marker}",
    )
    stored = f"{marker.lower()}0123456789abcdef0123456789abcdef.pdf"
    document = FamilyDocument(
        family=fam,
        child=kid,
        document_type=doc_type,
        original_filename=f"certificat-{marker}.pdf",
        stored_name=stored,
        content_type="application/pdf",
        size=1234,
    )
    mandate = SepaMandate(
        family=fam,
        rum=f"RUM-{marker}",
        holder_name=f"M. {marker}",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        signed_on=dt.date(2026, 9, 1),
    )
    db.session.add_all([qf, document, mandate])
    db.session.commit()
    for obj in (qf, document, mandate):
        _add(rows, obj)
    rows.stored_names.append(stored)
    _add_payment_rows(rows, fam, invoice, marker)
    _add_message_rows(rows, fam, kid, marker)
    return rows


# --- Payments (tests/payments): an online payment attempt and an attestation fiscale, so
# that the sweep tries the Finances routes with the other family's ids. ---
def _add_payment_rows(rows: FamilyRows, fam, invoice, marker: str) -> None:
    from app.models import CreditNote, PaymentTransaction, TaxCertificate

    attempt = PaymentTransaction(invoice=invoice, family=fam, backend="dummy",
                                 reference=f"REF{marker}", transaction_id=f"txn-{marker}",
                                 amount=Decimal("60.55"), state="refused",
                                 bank_status=f"refused {marker}")
    certificate = TaxCertificate(family=fam, year=2025, total=Decimal("12.34"),
                                 details=f'[{{"name": "{marker}"}}]',
                                 pdf=f"%PDF-1.4 {marker}".encode())
    note = CreditNote(number=f"AV-{marker}", invoice=invoice, family=fam,
                      issued_on=invoice.issued_on, amount=Decimal("1.00"),
                      reason=f"Avoir {marker}")
    db.session.add_all([attempt, certificate, note])
    db.session.commit()
    for obj in (attempt, certificate, note):
        _add(rows, obj)


# --- Messages (tests/messages): a conversation about a child with an attachment, so that
# the sweep tries the « Messages » routes with the other family's ids and file names. ---
def _add_message_rows(rows: FamilyRows, fam, kid, marker: str) -> None:
    from app.models import Conversation, Message, MessageAttachment

    conversation = Conversation(family=fam, child=kid, school_id=kid.school_id, topic="other",
                                subject=f"Question {marker}")
    message = Message(conversation=conversation, side="family", author_name=f"M. {marker}",
                      body=f"Message {marker}")
    # A well-formed stored name (48 hex digits), one per family.
    stored = "ab" * 20 + ("1" if marker == "Alpha" else "2") * 8
    message.attachments.append(MessageAttachment(original_filename=f"piece-{marker}.pdf",
                                                 stored_name=stored,
                                                 content_type="application/pdf", size=12))
    db.session.add(conversation)
    db.session.commit()
    for obj in (conversation, message):
        _add(rows, obj)
    rows.stored_names.append(stored)


def build_two_families():
    school_a = f.school("École Alpha")
    school_b = f.school("École Beta")
    service = f.service(code="cantine", schools=[school_a, school_b])
    doc_type = DocumentType(code="certificat", label="Certificat médical")
    db.session.add(doc_type)
    db.session.commit()
    a = build_family("Alpha", "alice", school_a, service, doc_type)
    b = build_family(MARKER, "zeb", school_b, service, doc_type)
    return a, b, Decimal("0")
