"""« Relancer » the families that lack a required document (the staff's « Documents
manquants » list): one family, or every family of the list at once. Each family gets a mail
per guardian (through the outbox: sent after the commit, retried when SMTP is down) listing
what to send, and an alert in its portal. A family reminded less than a day ago is not
reminded again (a double click, two agents)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Alert, Family, OutgoingMail
from ...models.base import utcnow
from ..command import BaseCommand
from ..errors import CommandError, transaction
from ..mail import queue_mail
from ..payments.reminders import reminder_addresses
from .queries import families_missing_query, missing_states

KIND = "documents_reminder"
QUIET_HOURS = 24
STATE_TEXT = {
    "missing": _l("jamais transmis"),
    "expired": _l("expiré"),
    "rejected": _l("refusé, à renvoyer"),
}


@dataclass
class RemindResult:
    families: int = 0
    mails: int = 0
    skipped: list[str] = field(default_factory=list)  # reminded recently, or no address
    recent: int = 0  # of them, reminded less than QUIET_HOURS ago


def documents_to_send(today: dt.date, family_ids: list[int] | None = None) -> dict[int, list]:
    """family id → [(document type label, state)] of the required documents it must send
    (those sent and waiting to be checked are not asked again). Two queries."""
    query = families_missing_query(today)
    if family_ids is not None:
        query = query.where(Family.id.in_(family_ids or [-1]))
    rows = db.session.execute(query).all()
    states = missing_states([(fam.id, doc_type.id) for fam, doc_type in rows], today)
    wanted: dict[int, list] = defaultdict(list)
    for fam, doc_type in rows:
        state = states.get((fam.id, doc_type.id), ("missing", None))[0]
        if state != "pending":
            wanted[fam.id].append((doc_type.label, state))
    return dict(wanted)


@dataclass
class RemindMissingDocuments(BaseCommand):
    """`family_ids`: the families to remind, or None for every family of the list."""

    family_ids: list[int] | None
    today: dt.date
    user_id: int | None
    portal_url: str = ""

    def validate(self) -> dict[int, list]:
        if self.family_ids is not None and not self.family_ids:
            raise CommandError(_("Choisissez une famille à relancer."))
        wanted = documents_to_send(self.today, self.family_ids)
        if not wanted:
            raise CommandError(_("Aucune famille à relancer : rien ne manque."))
        return wanted

    def run(self) -> RemindResult:
        wanted = self.validate()
        recent = recently_reminded(list(wanted), utcnow())  # OutgoingMail.created_at's clock
        with transaction():
            return self.remind_families(self.in_order(list(wanted)), wanted, recent)

    @staticmethod
    def in_order(family_ids: list[int]) -> list[int]:
        """The families by name (the order of the list and of the reports)."""
        rows = db.session.query(Family.id, Family.search_name, Family.name).filter(
            Family.id.in_(family_ids or [-1])).all()
        return [row.id for row in sorted(rows, key=lambda r: (r.search_name or r.name, r.id))]

    def remind_families(self, family_ids: list[int], wanted: dict[int, list],
                        recent: set[int]) -> RemindResult:
        """Remind `family_ids` (in the caller's transaction), except those in `recent`."""
        result = RemindResult()
        families = {family.id: family for family in
                    db.session.query(Family).filter(Family.id.in_(family_ids or [-1]))}
        for family in (families[i] for i in family_ids if i in families):
            if family.id in recent:
                result.skipped.append(family.name)
                result.recent += 1
                continue
            sent = self._remind(family, wanted[family.id])
            if sent:
                result.families += 1
                result.mails += sent
            else:
                result.skipped.append(family.name)
        return result

    def _remind(self, family: Family, documents: list) -> int:
        lines = [_("%(document)s (%(state)s)", document=label, state=STATE_TEXT[state])
                 for label, state in documents]
        mails = [queue_mail(address, _l("Documents à transmettre au service"), KIND,
                            family_id=family.id, kind=KIND, family_name=family.name,
                            documents=lines, portal_url=self.portal_url)
                 for address in reminder_addresses(family)]
        db.session.add(Alert(family_id=family.id, title=_("Documents à transmettre"),
                             message=_("Merci de transmettre dans « Mes documents » : "
                                       "%(list)s.", list=", ".join(lines)),
                             mailed=any(mails)))
        return sum(1 for mail in mails if mail is not None)


def recently_reminded(family_ids: list[int], now: dt.datetime) -> set[int]:
    since = now - dt.timedelta(hours=QUIET_HOURS)
    return set(db.session.scalars(
        select(OutgoingMail.family_id).where(
            OutgoingMail.kind == KIND, OutgoingMail.family_id.in_(family_ids or [-1]),
            OutgoingMail.created_at >= since)
    ))
