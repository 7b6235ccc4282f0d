"""Alerts to a family ("Alertes" rubrique), each also sent by mail to its guardians.

The alert and its mails are written in the caller's transaction: if the action rolls back
there is no alert and no mail; once it commits the mail is safe in the outbox even if the
SMTP server is down (app.services.mail).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Alert, Family, Guardian
from ..models.base import utcnow
from .command import BaseCommand
from .errors import transaction

#: Alert kinds a family may choose not to receive by mail too (« Mon compte »); the alert
#: itself is always shown in the « Alertes » rubrique.
MAIL_KINDS = {
    "request_decision": _l(
        "Les réponses du service à mes demandes (réservations, inscriptions, documents, "
        "changements de données)"
    ),
    "waiting_list": _l("Une place libérée pour une réservation en liste d'attente"),
    "alert": _l("Les autres messages du service"),
}


def alert_family(
    family_id: int, title: str, message: str, request_id: int | None = None, kind: str = "alert"
) -> Alert:
    alert = Alert(family_id=family_id, title=title, message=message, request_id=request_id)
    db.session.add(alert)
    alert.mailed = wants_mail(family_id, kind)
    if alert.mailed:
        db.session.flush()  # the alert's id, for the mailed link to its page
        _mail_guardians(family_id, title, message, kind, _alert_link(alert.id))
    return alert


def _alert_link(alert_id: int) -> str | None:
    """The address of the alert's page (given by its view), None outside a web context
    without PORTAL_BASE_URL (a CLI run): the mail then names the rubrique only."""
    from .links import absolute_link

    try:
        return absolute_link("alert", pk=alert_id)
    except (KeyError, RuntimeError):
        return None


def wants_mail(family_id: int, kind: str) -> bool:
    """False when the family turned this kind of alert mail off."""
    off = db.session.query(Family.mail_alerts_off).filter(Family.id == family_id).scalar()
    return kind not in (off or "").split(",")


def _mail_guardians(family_id: int, title: str, message: str, kind: str,
                    link: str | None = None) -> None:
    """One mail per guardian with an address, greeting them by name."""
    from .mail import queue_mail

    guardians = db.session.query(Guardian.email, Guardian.first_name, Guardian.last_name).filter(
        Guardian.family_id == family_id, Guardian.email.isnot(None))
    for address, first_name, last_name in guardians:
        if not address:
            continue
        name = " ".join(part for part in (first_name, last_name) if part)
        queue_mail(address, title, "alert", family_id=family_id, kind=kind, title=title,
                   message=message, name=name, link=link)


@dataclass
class MarkAlertsRead(BaseCommand):
    """A parent marks alerts as read: only those of `family_ids` (the scope's)."""

    alert_ids: list[int]
    family_ids: list[int]

    def validate(self) -> None:
        """Nothing to refuse: alerts of other families are simply not touched."""

    def run(self) -> int:
        self.validate()
        with transaction():
            rows = db.session.query(Alert).filter(
                Alert.id.in_(self.alert_ids or [-1]),
                Alert.family_id.in_(self.family_ids or [-1])).all()
            now = utcnow()
            for row in rows:
                row.read_at = row.read_at or now
        return len(rows)
