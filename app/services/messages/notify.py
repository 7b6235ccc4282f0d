"""The audit entry of each action on a conversation, and the mail to the other side.

Mails go through the outbox in the caller's transaction (app.services.mail.queue_mail): a
committed message always has its mail, sent as soon as the SMTP server answers. The mail
says who wrote and links to the conversation; the message itself stays on the portal
(children's health or family matters never travel in a mail).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import AuditLog, Conversation, Family, Guardian, Message, Side, Topic, User
from ..mail import queue_mail

if TYPE_CHECKING:
    from .commands import Actor, Links

KIND = "message"


def audit(actor: Actor, action: str, conversation: Conversation, changes: dict) -> None:
    """One audit line per action, for the family's actions as for the staff's."""
    db.session.add(AuditLog(
        user_id=actor.user_id, username=actor.username, action=action[:10],
        table_name=Conversation.__tablename__, object_id=str(conversation.id),
        changes=json.dumps({"side": actor.side, **changes}, ensure_ascii=False, default=str),
    ))


def _service_address() -> str | None:
    from ..mail import _portal

    return current_app.config.get("PORTAL_SERVICE_EMAIL") or _portal()["email"]


def _link(links: Links | None, side: str, conversation: Conversation) -> str | None:
    return links(side, conversation.id) if links else None


def notify_other_side(conversation: Conversation, message: Message,
                      links: Links | None) -> None:
    if message.side == Side.staff:
        _mail_family(conversation, message, _link(links, Side.family, conversation))
    else:
        _mail_service(conversation, message, _link(links, Side.staff, conversation))


def _context(conversation: Conversation, message: Message, link: str | None) -> dict:
    return {
        "author": message.author_name,
        "conversation_subject": conversation.subject,
        "topic": Topic(conversation.topic).label if conversation.topic in set(Topic) else "",
        "attachments": len(message.attachments),
        "link": link,
    }


def _mail_family(conversation: Conversation, message: Message, link: str | None) -> None:
    addresses = [
        email for (email,) in db.session.query(Guardian.email).filter(
            Guardian.family_id == conversation.family_id, Guardian.email.isnot(None))
        if email
    ]
    subject = _l("Nouveau message du service : %(subject)s", subject=conversation.subject)
    for address in dict.fromkeys(addresses):
        queue_mail(address, subject, "message_to_family", family_id=conversation.family_id,
                   kind=KIND, **_context(conversation, message, link))


def _mail_service(conversation: Conversation, message: Message, link: str | None) -> None:
    agent = db.session.get(User, conversation.assigned_to_id) if conversation.assigned_to_id \
        else None
    address = (agent.email if agent is not None and agent.active else None) or \
        _service_address()
    family = db.session.get(Family, conversation.family_id)
    subject = _l("Message de la %(family)s : %(subject)s", family=family.name,
                 subject=conversation.subject)
    queue_mail(address, subject, "message_to_service", family_id=conversation.family_id,
               kind=KIND, family=family.name, **_context(conversation, message, link))


def notify_agent(conversation: Conversation, agent_id: int, links: Links | None) -> None:
    agent = db.session.get(User, agent_id)
    if agent is None or not agent.email:
        return
    subject = _l("Conversation à traiter : %(subject)s", subject=conversation.subject)
    queue_mail(agent.email, subject, "message_assigned", family_id=conversation.family_id,
               kind=KIND, conversation_subject=conversation.subject,
               link=_link(links, Side.staff, conversation))
