"""Many mails queued at once (a billing run's): rendered once per shape, inserted in bulk.

Each mail of a batch shares its template and most of its context with the others; only a
few values differ (the invoice's number, total, due date, the subject). Jinja renders
each shape once, with placeholders for those values, which are then put in per mail
(escaped in the HTML part): rendering costs the same for 10 mails or 10,000. The rows
are inserted in one executemany; after the commit `app.services.mail` hands their ids to
the workers in batches (never sent by the action itself)."""

from __future__ import annotations

from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import insert

from ..extensions import db
from ..models.mail import MailState, OutgoingMail
from .mail import BATCH_KEY, new_message_id, render_mail


def _token(key: str) -> str:
    return f"@@portail-{key}@@"


def _fill(text: str | None, values: dict, html: bool) -> str | None:
    if text is None:
        return None
    for key, value in values.items():
        text = text.replace(_token(key), str(escape(value)) if html else str(value))
    return text


def queue_mails(mails: list[dict]) -> int:
    """Each dict: to, subject, template, family_id, kind, context (the values shared by
    the mails of one shape) and varying (the values proper to this mail, also usable in
    the subject as %(key)s)."""
    shapes: dict[tuple, tuple[str, str | None]] = {}
    rows = []
    with force_locale("fr"):
        for item in mails:
            if not item.get("to"):
                continue
            varying = item.get("varying", {})
            shape = (item["template"], str(item["subject"]),
                     tuple(sorted((k, str(v)) for k, v in item["context"].items())),
                     tuple(sorted(varying)))
            if shape not in shapes:
                subject = _token("subject")
                context = {**item["context"], **{k: _token(k) for k in varying}}
                shapes[shape] = render_mail(item["template"], subject=subject, **context)
            text, html = shapes[shape]
            subject = " ".join((str(item["subject"]) % varying).split())[:255]
            values = {**varying, "subject": subject}
            rows.append({"recipient": item["to"].strip(), "subject": subject,
                         "body_text": _fill(text, values, False),
                         "body_html": _fill(html, values, True),
                         "message_id": new_message_id(),
                         "kind": item.get("kind") or item["template"],
                         "family_id": item.get("family_id"), "state": MailState.pending,
                         "attempts": 0})
    if not rows:
        return 0
    table = OutgoingMail.__table__
    # One executemany (batched by the driver) returning the new ids (any order) for the workers.
    ids = db.session.execute(insert(table).returning(table.c.id),
                             rows).scalars().all()
    db.session.info.setdefault(BATCH_KEY, []).extend(ids)
    return len(rows)
