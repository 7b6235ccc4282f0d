"""Alerts to a family ("Alertes" rubrique), each also sent by mail to its guardians.

The alert and its mails are written in the caller's transaction: if the action rolls back
there is no alert and no mail; once it commits the mail is safe in the outbox even if the
SMTP server is down (app.services.mail).
"""

from __future__ import annotations

from ..extensions import db
from ..models import Alert, Guardian


def alert_family(
    family_id: int, title: str, message: str, request_id: int | None = None, kind: str = "alert"
) -> Alert:
    alert = Alert(family_id=family_id, title=title, message=message, request_id=request_id)
    db.session.add(alert)
    _mail_guardians(family_id, title, message, kind)
    alert.mailed = True
    return alert


def _mail_guardians(family_id: int, title: str, message: str, kind: str) -> None:
    from .mail import queue_mail

    addresses = [
        email
        for (email,) in db.session.query(Guardian.email).filter(
            Guardian.family_id == family_id, Guardian.email.isnot(None)
        )
        if email
    ]
    for address in addresses:
        queue_mail(
            address, title, "alert", family_id=family_id, kind=kind, title=title, message=message
        )
