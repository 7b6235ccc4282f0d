"""The yearly family file (« dossier unique »): the town opens a campaign for the next
school year, with dates and the documents it requires; each family re-certifies its
contacts, its children's health data and the authorised persons, sends the documents and
accepts the consents in force. Enrolment requests for that year may wait for a complete
file (`enrolment_requires_complete`, the town's setting)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow

campaign_document_type = Table(
    "dossier_campaign_document_type",
    Model.metadata,
    Column("campaign_id", Integer, ForeignKey("dossier_campaign.id", ondelete="CASCADE"),
           primary_key=True),
    Column("document_type_id", Integer, ForeignKey("document_type.id", ondelete="CASCADE"),
           primary_key=True),
)


class DossierSection(LabelledEnum):
    contacts = "contacts"
    health = "health"
    authorised = "authorised"


DossierSection.LABELS = {
    DossierSection.contacts: _l("Coordonnées de la famille et des responsables"),
    DossierSection.health: _l("Santé des enfants (allergies, PAI, régime)"),
    DossierSection.authorised: _l("Personnes autorisées et à prévenir en cas d'urgence"),
}


class DossierCampaign(Model):
    __tablename__ = "dossier_campaign"
    id = Column(Integer, primary_key=True)
    school_year_id = Column(Integer, ForeignKey("school_year.id"), nullable=False, unique=True)
    title = Column(String(160), nullable=False)
    opens_on = Column(Date, nullable=False)
    closes_on = Column(Date, nullable=False)
    # The town's setting: no enrolment request for this year before the file is complete.
    enrolment_requires_complete = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    school_year = relationship("SchoolYear")
    document_types = relationship("DocumentType", secondary=campaign_document_type,
                                  order_by="DocumentType.label")

    def __repr__(self) -> str:
        return self.title


class DossierCertification(Model):
    """A guardian confirmed one section of the family's data for the campaign."""

    __tablename__ = "dossier_certification"
    __table_args__ = (UniqueConstraint("campaign_id", "family_id", "section"),)
    id = Column(Integer, primary_key=True)
    campaign_id = Column(
        Integer, ForeignKey("dossier_campaign.id", ondelete="CASCADE"), nullable=False
    )
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    section = Column(String(20), nullable=False)
    certified_at = Column(DateTime, nullable=False, default=utcnow)
    user_id = user_fk()

    campaign = relationship("DossierCampaign")
    family = relationship("Family")

    def __repr__(self) -> str:
        return f"{self.family} — {self.section}"
