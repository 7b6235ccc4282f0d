"""Sending a mailing: one alert per family chosen (its « Alertes » rubrique, seen by that
family only) and one mail per guardian address through the outbox, all in one transaction:
committed, the mails are safe in the outbox even while the SMTP server is down."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ...extensions import db
from ...models import Mailing, MailingRecipient
from ..alerts import alert_family
from ..command import BaseCommand
from ..errors import ErrorCollector, transaction
from .criteria import Criteria
from .queries import Recipients, addresses_by_family, recipients

MAX_SUBJECT = 200
MAX_BODY = 10000


@dataclass
class SendMailing(BaseCommand):
    subject: str
    body: str
    criteria: Criteria
    user_id: int | None
    chosen: Recipients | None = field(default=None, init=False)

    def validate(self) -> None:
        errors = ErrorCollector()
        self.subject = " ".join((self.subject or "").split())
        self.body = (self.body or "").strip()
        if not self.subject:
            errors.add(_("Indiquez l'objet du message."), "subject")
        elif len(self.subject) > MAX_SUBJECT:
            errors.add(_("L'objet est trop long (%(max)s caractères au plus).",
                         max=MAX_SUBJECT), "subject")
        if not self.body:
            errors.add(_("Écrivez le message."), "body")
        elif len(self.body) > MAX_BODY:
            errors.add(_("Le message est trop long (%(max)s caractères au plus).",
                         max=MAX_BODY), "body")
        if self.criteria.empty:
            errors.add(_("Choisissez au moins une école, une classe, un service ou un état "
                         "d'inscription."), "criteria")
        else:
            self.chosen = recipients(self.criteria)
            if not self.chosen.count:
                errors.add(_("Aucune famille ne correspond à cette sélection."), "criteria")
        errors.raise_if_any()

    def run(self) -> Mailing:
        self.validate()
        with transaction():
            mailing = Mailing(subject=self.subject, body=self.body,
                              criteria=self.criteria.to_json(),
                              criteria_label=self.criteria.label()[:500],
                              family_count=self.chosen.count, mail_count=0,
                              sent_by_id=self.user_id)
            db.session.add(mailing)
            addresses = addresses_by_family([f for f, _c, _n in self.chosen.families])
            for family_id, _code, _name in self.chosen.families:
                alert = alert_family(family_id, self.subject, self.body)
                mailing.recipients.append(MailingRecipient(family_id=family_id, alert=alert))
                mailing.mail_count += addresses.get(family_id, 0) if alert.mailed else 0
        return mailing
