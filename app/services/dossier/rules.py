"""What a family's yearly file lacks, and the completion per school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ...extensions import db
from ...models import (
    Child,
    ConsentAnswer,
    DocumentState,
    DossierCampaign,
    DossierCertification,
    DossierSection,
    Family,
    FamilyDocument,
    School,
    family_child,
)
from ..consents import versions_in_force
from ..errors import CommandError

#: A document counts once sent for the campaign (from its opening), unless refused.
GIVEN_STATES = (DocumentState.pending, DocumentState.accepted)


@dataclass(frozen=True)
class MissingItem:
    kind: str  # "section", "document" or "consent"
    code: str  # section code, document type id, consent version id
    label: str
    detail: str = ""


@dataclass
class DossierStatus:
    campaign: DossierCampaign
    missing: list[MissingItem] = field(default_factory=list)
    certified: dict[str, DossierCertification] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing


def open_campaigns(today: dt.date) -> list[DossierCampaign]:
    return (
        db.session.query(DossierCampaign)
        .filter(DossierCampaign.opens_on <= today, DossierCampaign.closes_on >= today)
        .order_by(DossierCampaign.opens_on)
        .all()
    )


def campaign_for_year(school_year_id: int) -> DossierCampaign | None:
    return db.session.query(DossierCampaign).filter_by(school_year_id=school_year_id).first()


@dataclass
class _Facts:
    """What the rules need for many families at once (a fixed number of statements)."""

    certified: dict[int, dict[str, DossierCertification]]
    documents: dict[int, dict[int, list[FamilyDocument]]]
    accepted: dict[int, set[int]]  # family → accepted consent version ids
    versions: list  # required consents in force


def _facts(campaign: DossierCampaign, family_ids: list[int], today: dt.date) -> _Facts:
    certified: dict[int, dict[str, DossierCertification]] = {f: {} for f in family_ids}
    for row in db.session.query(DossierCertification).filter(
            DossierCertification.campaign_id == campaign.id,
            DossierCertification.family_id.in_(family_ids)):
        certified[row.family_id][row.section] = row
    documents: dict[int, dict[int, list[FamilyDocument]]] = {f: {} for f in family_ids}
    type_ids = [t.id for t in campaign.document_types]
    if type_ids:
        for doc in db.session.query(FamilyDocument).filter(
                FamilyDocument.family_id.in_(family_ids),
                FamilyDocument.document_type_id.in_(type_ids),
                FamilyDocument.uploaded_at >= dt.datetime.combine(campaign.opens_on,
                                                                  dt.time())):
            documents[doc.family_id].setdefault(doc.document_type_id, []).append(doc)
    versions = [v for v in versions_in_force(today) if v.document.required]
    accepted: dict[int, set[int]] = {f: set() for f in family_ids}
    if versions:
        for family_id, version_id in db.session.query(
                ConsentAnswer.family_id, ConsentAnswer.version_id).filter(
                ConsentAnswer.family_id.in_(family_ids), ConsentAnswer.accepted.is_(True),
                ConsentAnswer.version_id.in_([v.id for v in versions])):
            accepted[family_id].add(version_id)
    return _Facts(certified, documents, accepted, versions)


def _status(campaign: DossierCampaign, family_id: int, facts: _Facts) -> DossierStatus:
    status = DossierStatus(campaign, certified=facts.certified.get(family_id, {}))
    for section in DossierSection:
        if section.value not in status.certified:
            status.missing.append(MissingItem("section", section.value, section.label,
                                              _("à vérifier et certifier")))
    for doc_type in campaign.document_types:
        sent = facts.documents.get(family_id, {}).get(doc_type.id, [])
        if not any(d.state in GIVEN_STATES for d in sent):
            detail = (_("refusé par le service, à renvoyer") if sent
                      else _("à transmettre pour %(year)s", year=campaign.school_year.label))
            status.missing.append(MissingItem("document", str(doc_type.id), doc_type.label,
                                              detail))
    for version in facts.versions:
        if version.id not in facts.accepted.get(family_id, set()):
            status.missing.append(MissingItem(
                "consent", str(version.id), version.document.title,
                _("version %(n)d à accepter", n=version.number)))
    return status


def family_status(campaign: DossierCampaign, family_id: int, today: dt.date) -> DossierStatus:
    return _status(campaign, family_id, _facts(campaign, [family_id], today))


def check_dossier_for_enrolment(family_id: int, school_year_id: int, today: dt.date) -> None:
    """Refuse an enrolment request for a year whose campaign requires a complete file."""
    campaign = campaign_for_year(school_year_id)
    if campaign is None or not campaign.enrolment_requires_complete:
        return
    status = family_status(campaign, family_id, today)
    if not status.complete:
        raise CommandError(_(
            "Les inscriptions %(year)s s'ouvrent quand votre dossier annuel est complet. "
            "Il manque : %(items)s. Complétez-le dans la rubrique « Mon dossier annuel ».",
            year=campaign.school_year.label,
            items="; ".join(item.label for item in status.missing)))


@dataclass
class SchoolCompletion:
    school: School
    families: list[tuple[Family, DossierStatus]]

    @property
    def complete(self) -> int:
        return sum(1 for _f, s in self.families if s.complete)

    @property
    def percent(self) -> int:
        return round(100 * self.complete / len(self.families)) if self.families else 0


def completion_by_school(campaign: DossierCampaign, today: dt.date) -> list[SchoolCompletion]:
    """Active families by their children's schools (a family with children in two schools
    counts in both), each with its status. Six statements whatever the town's size."""
    rows = (
        db.session.query(School, Family)
        .join(Child, Child.school_id == School.id)
        .join(family_child, family_child.c.child_id == Child.id)
        .join(Family, Family.id == family_child.c.family_id)
        .filter(Family.active.is_(True))
        .distinct()
        .order_by(School.name, Family.name, Family.id)
        .all()
    )
    family_ids = sorted({family.id for _s, family in rows})
    facts = _facts(campaign, family_ids, today) if family_ids else None
    statuses = {f: _status(campaign, f, facts) for f in family_ids} if facts else {}
    by_school: dict[int, SchoolCompletion] = {}
    for school, family in rows:
        by_school.setdefault(school.id, SchoolCompletion(school, [])).families.append(
            (family, statuses[family.id]))
    return list(by_school.values())
