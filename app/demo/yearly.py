"""The demo of the consents and of the yearly file (issue 16):

- consents: the règlement intérieur (required to book) in version 1 since the start of the
  year, accepted by every family, and a version 2 in force since yesterday that only the
  ordinary families accepted (the featured ones see it to accept, their bookings wait);
  the droit à l'image, the autorisation de sortie and the CAF consent, answered by some;
- the 2027-2028 campaign, open for two weeks: complete families (the Le Gall family and
  one in three of the others) and incomplete ones (the Martin family: contacts certified
  only).

Rows are written directly (answers dated, documents as small real PDFs through the
documents service); only for families written by this run.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import (
    ConsentAnswer,
    ConsentDocument,
    ConsentVersion,
    DocumentType,
    DossierCampaign,
    DossierCertification,
    DossierSection,
    Guardian,
    PublishedDocument,
    SchoolYear,
)
from ..services.documents import send_family_document
from .days import Period
from .families import Built
from .features import pdf_upload

NEXT_YEAR = "2027-2028"
CONSENTS = (  # code, title, required, text
    ("reglement", "Règlement intérieur", True,
     "J'ai pris connaissance du règlement intérieur de la restauration scolaire et de "
     "l'accueil périscolaire (réservations, annulations, facturation, PAI) et je l'accepte."),
    ("droit_image", "Droit à l'image", False,
     "J'autorise la commune à photographier mes enfants lors des activités et à publier ces "
     "photos dans le bulletin municipal, sans nom de famille."),
    ("sortie", "Autorisation de sortie", False,
     "J'autorise mes enfants à participer aux sorties organisées par l'accueil périscolaire "
     "dans la commune (bibliothèque, parc, gymnase)."),
    ("caf_qf", "Consultation du quotient familial auprès de la CAF", False,
     "J'autorise la commune à consulter mon quotient familial auprès de la CAF (API "
     "Particulier) pour calculer mes tarifs, au lieu de fournir l'attestation."),
)
REGLEMENT_V2 = ("Version 2 : le panier repas des enfants avec un PAI, le délai de réservation "
                "de l'accueil du matin ramené à la veille 10h00. " + CONSENTS[0][3])


@cache
def _pdf_bytes() -> bytes:
    """One small real PDF (the upload checks refuse a hand-made, unreadable one), rendered
    once and reused for every family of a large demo town."""
    return pdf_upload("justificatif.pdf", "Justificatif", "Document de démonstration.").read()


def _moment(day: dt.date, hour: int = 19) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour - 1, 0))  # Paris evening, stored UTC


def _documents(period: Period) -> dict[str, ConsentVersion]:
    """The consent documents and their versions (found first: idempotent)."""
    versions = {}
    start = dt.date(2026, 8, 25)
    reglement = db.session.query(PublishedDocument).filter_by(category="reglement").first()
    for code, title, required, text in CONSENTS:
        document = db.session.query(ConsentDocument).filter_by(code=code).first()
        if document is None:
            document = ConsentDocument(code=code, title=title, required=required)
            document.versions.append(ConsentVersion(
                number=1, effective_from=start, text=text,
                published_document=reglement if code == "reglement" else None))
            if code == "reglement":
                document.versions.append(ConsentVersion(
                    number=2, effective_from=period.today - dt.timedelta(days=1),
                    text=REGLEMENT_V2, published_document=reglement))
            db.session.add(document)
        for version in document.versions:
            versions[f"{code}-{version.number}"] = version
    db.session.flush()
    return versions


def _answer(guardian: Guardian, version: ConsentVersion, accepted: bool,
            day: dt.date) -> None:
    db.session.add(ConsentAnswer(version_id=version.id, guardian_id=guardian.id,
                                 family_id=guardian.family_id, accepted=accepted,
                                 answered_at=_moment(day), user_id=guardian.user_id))


def consents(built: list[Built], period: Period) -> dict[str, ConsentVersion]:
    versions = _documents(period)
    september = dt.date(2026, 9, 2)
    for item in built:
        guardians = db.session.query(Guardian).filter_by(family_id=item.family.id).all()
        for n, guardian in enumerate(guardians):
            _answer(guardian, versions["reglement-1"], True, september)
            if n == 0:
                _answer(guardian, versions["droit_image-1"], item.spec.index % 4 != 3,
                        september)
                _answer(guardian, versions["sortie-1"], True, september)
                if item.spec.index % 3 == 0:
                    _answer(guardian, versions["caf_qf-1"], True, september)
                if not item.spec.featured:
                    _answer(guardian, versions["reglement-2"], True, period.today)
    db.session.flush()
    return versions


def _next_year() -> SchoolYear:
    year = db.session.query(SchoolYear).filter_by(label=NEXT_YEAR).first()
    if year is None:
        year = SchoolYear(label=NEXT_YEAR, start_date=dt.date(2027, 9, 1),
                          end_date=dt.date(2028, 7, 7), zone="B", closed_weekdays="256")
        db.session.add(year)
    return year


def campaign(period: Period) -> DossierCampaign:
    year = _next_year()
    found = db.session.query(DossierCampaign).filter_by(school_year=year).first() \
        if year.id else None
    if found is not None:
        return found
    types = db.session.query(DocumentType).filter(
        DocumentType.code.in_(("assurance", "attestation_qf"))).all()
    row = DossierCampaign(
        school_year=year, title=f"Dossier annuel {NEXT_YEAR}",
        opens_on=period.today - dt.timedelta(days=14),
        closes_on=max(dt.date(2027, 1, 31), period.today + dt.timedelta(days=45)),
        enrolment_requires_complete=True, document_types=types)
    db.session.add(row)
    db.session.flush()
    return row


def _complete(item: Built, row: DossierCampaign, sections, period: Period) -> None:
    user_id = item.users[0].id if item.users else None
    for section in sections:
        db.session.add(DossierCertification(
            campaign_id=row.id, family_id=item.family.id, section=section,
            certified_at=_moment(period.today - dt.timedelta(days=3)), user_id=user_id))


def dossiers(built: list[Built], row: DossierCampaign, versions, period: Period) -> None:
    for item in built:
        if item.spec.index == 1:  # Martin: contacts only
            _complete(item, row, [DossierSection.contacts], period)
            continue
        if not (item.spec.index == 2 or (not item.spec.featured and item.spec.index % 3 == 0)):
            continue
        _complete(item, row, list(DossierSection), period)
        for doc_type in row.document_types:
            upload = FileStorage(stream=io.BytesIO(_pdf_bytes()),
                                 filename=f"{doc_type.code}-{NEXT_YEAR}.pdf",
                                 content_type="application/pdf")
            send_family_document(item.family.id, doc_type.id, None, upload,
                                 item.users[0].id if item.users else None)
        if item.spec.featured:  # Le Gall accepted the new règlement too
            guardian = db.session.query(Guardian).filter_by(family_id=item.family.id).first()
            _answer(guardian, versions["reglement-2"], True, period.today)


def add_yearly(built: list[Built], period: Period) -> None:
    if not built:
        return
    db.session.flush()
    versions = consents(built, period)
    row = campaign(period)
    dossiers(built, row, versions, period)
