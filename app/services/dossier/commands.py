"""Writes on the yearly file: a guardian certifies a section, staff remind the incomplete
families (BaseCommand: validate everything, then one transaction; audited)."""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import AuditLog, DossierCampaign, DossierCertification, DossierSection, Guardian
from ...models.base import utcnow
from ..alerts import alert_family
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from .rules import completion_by_school

QUIET_HOURS = 24


def _audit(user_id: int | None, username: str, action: str, table: str, object_id,
           changes: dict) -> None:
    db.session.add(AuditLog(user_id=user_id, username=username, action=action,
                            table_name=table, object_id=str(object_id),
                            changes=json.dumps(changes, ensure_ascii=False, default=str)))


class CertifySection(BaseCommand):
    """« Je certifie ces informations exactes » for one section, during the campaign."""

    def __init__(self, user_id: int, username: str, family_id: int, campaign_id, section,
                 today: dt.date):
        self.user_id, self.username, self.family_id = user_id, username, family_id
        self.raw_campaign, self.section, self.today = campaign_id, section, today
        self.campaign: DossierCampaign | None = None

    def validate(self) -> None:
        errors = ErrorCollector()
        if db.session.query(Guardian.id).filter_by(
                user_id=self.user_id, family_id=self.family_id).first() is None:
            raise CommandError(_("Seul un responsable légal de la famille peut certifier."))
        try:
            self.campaign = db.session.get(DossierCampaign, int(self.raw_campaign))
        except (TypeError, ValueError):
            self.campaign = None
        if self.campaign is None:
            errors.add(_("Campagne inconnue."))
        elif not (self.campaign.opens_on <= self.today <= self.campaign.closes_on):
            errors.add(_("Cette campagne n'est pas ouverte aujourd'hui."))
        if self.section not in set(DossierSection):
            errors.add(_("Rubrique inconnue."), "section")
        errors.raise_if_any()

    def run(self) -> DossierCertification:
        self.validate()
        with transaction():
            row = db.session.query(DossierCertification).filter_by(
                campaign_id=self.campaign.id, family_id=self.family_id,
                section=self.section).one_or_none()
            if row is None:
                row = DossierCertification(campaign_id=self.campaign.id,
                                           family_id=self.family_id, section=self.section)
                db.session.add(row)
            row.certified_at, row.user_id = utcnow(), self.user_id
            db.session.flush()
            _audit(self.user_id, self.username, "certify", "dossier_certification", row.id,
                   {"campaign_id": self.campaign.id, "section": self.section})
        return row


class RemindIncomplete(BaseCommand):
    """One action: every family whose file is incomplete gets an alert listing what is
    missing (and its mail, through the outbox); a family reminded less than a day ago
    (a double click, two agents) is not reminded again. The staff page runs it as a
    background job by chunks of families (dossier/jobs.py)."""

    def __init__(self, campaign_id, user_id: int | None, username: str, today: dt.date):
        self.raw, self.user_id, self.username, self.today = campaign_id, user_id, username, today
        self.campaign: DossierCampaign | None = None

    def validate(self) -> None:
        try:
            self.campaign = db.session.get(DossierCampaign, int(self.raw))
        except (TypeError, ValueError):
            self.campaign = None
        if self.campaign is None:
            raise CommandError(_("Campagne inconnue."))
        if self.today > self.campaign.closes_on:
            raise CommandError(_("Cette campagne est terminée."))

    def incomplete(self) -> dict[int, object]:
        """family id → its completion status, for every incomplete family (names kept in
        `self.names`)."""
        seen: dict[int, object] = {}
        self.names: dict[int, str] = {}
        for school in completion_by_school(self.campaign, self.today):
            for family, status in school.families:
                if not status.complete:
                    seen[family.id] = status
                    self.names[family.id] = family.name
        return seen

    def recently_reminded(self) -> set[int]:
        """The families this campaign reminded less than QUIET_HOURS ago (its audit)."""
        rows = db.session.scalars(select(AuditLog.changes).where(
            AuditLog.action == "remind", AuditLog.table_name == "dossier_campaign",
            AuditLog.object_id == str(self.campaign.id),
            AuditLog.at >= utcnow() - dt.timedelta(hours=QUIET_HOURS)))
        return {family_id for changes in rows
                for family_id in json.loads(changes or "{}").get("families", [])}

    def remind_families(self, family_ids: list[int], seen: dict[int, object]) -> None:
        """Alert (and mail) `family_ids`, audited, in the caller's transaction."""
        for family_id in family_ids:
            status = seen[family_id]
            lines = "\n".join(f"– {item.label} : {item.detail}" for item in status.missing)
            alert_family(
                family_id,
                _("Dossier %(year)s à compléter", year=self.campaign.school_year.label),
                _("Votre dossier annuel %(year)s n'est pas complet (avant le %(date)s). "
                  "Il manque :\n%(lines)s\n\nComplétez-le dans la rubrique « Mon dossier "
                  "annuel » de votre portail famille.",
                  year=self.campaign.school_year.label,
                  date=self.campaign.closes_on.strftime("%d/%m/%Y"), lines=lines),
            )
        _audit(self.user_id, self.username, "remind", "dossier_campaign", self.campaign.id,
               {"families": sorted(family_ids)})

    def run(self) -> int:
        """Remind every incomplete family not reminded less than a day ago; how many."""
        self.validate()
        seen = self.incomplete()
        recent = self.recently_reminded()
        todo = [family_id for family_id in seen if family_id not in recent]
        with transaction():
            self.remind_families(todo, seen)
        return len(todo)
