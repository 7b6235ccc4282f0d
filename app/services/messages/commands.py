"""Every write on conversations: one command per user action (see app.services.command).

`validate()` gathers every problem (ErrorCollector) and raises one CommandError before
anything is written, files included; `run()` stores the checked files, then writes the
change, its audit entry and the mail to the other side in one `transaction()`. If the
transaction fails, the stored files are removed again. The mail goes through the outbox
(app.services.mail): a message is never lost when the SMTP server is down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import (
    Child,
    Conversation,
    ConversationState,
    Family,
    Message,
    MessageAttachment,
    Side,
    Topic,
    family_child,
)
from ...models.base import utcnow
from ..command import BaseCommand
from ..errors import CommandError, ErrorCollector, transaction
from ..upload_checks import CheckedFile
from . import files
from .notify import audit, notify_agent, notify_other_side

MAX_BODY = 5000
MAX_SUBJECT = 200

#: (side to notify, conversation id) → absolute address of the conversation for that side.
Links = Callable[[str, int], str]


@dataclass(frozen=True)
class Actor:
    """Who acts: the view builds it from the logged-in user."""

    user_id: int | None
    username: str
    name: str  # shown above the message
    side: str  # Side.family or Side.staff


def _body(text: str | None, errors: ErrorCollector) -> str:
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        errors.add(_("Écrivez votre message."), "body")
    elif len(body) > MAX_BODY:
        errors.add(_("Le message dépasse %(max)d caractères.", max=MAX_BODY), "body")
    return body


class _Writes(BaseCommand):
    """Shared by the commands that add a message: files stored before the transaction,
    removed again if it fails."""

    checked: list[CheckedFile]

    def _add_message(self, conversation: Conversation, actor: Actor, body: str,
                     stored: list[str]) -> Message:
        message = Message(conversation=conversation, side=actor.side, author_id=actor.user_id,
                          author_name=actor.name[:160], body=body)
        for file, name in zip(self.checked, stored, strict=True):
            message.attachments.append(MessageAttachment(
                original_filename=file.filename, stored_name=name,
                content_type=file.content_type, size=file.size))
        conversation.last_message_at = utcnow()
        db.session.add(message)
        # Answering means the other side's messages were read.
        for earlier in conversation.messages:
            if earlier.side != actor.side and earlier.read_at is None:
                earlier.read_at = utcnow()
        return message

    def _stored_then(self, change: Callable[[list[str]], Conversation]) -> Conversation:
        stored = files.store_files(self.checked)
        try:
            with transaction():
                return change(stored)
        except BaseException:
            files.discard(stored)
            raise


class OpenConversation(_Writes):
    """A family (or an agent, from the family's file) starts a conversation."""

    def __init__(self, family_id: int, actor: Actor, topic, subject, body, child_id=None,
                 uploads=(), links: Links | None = None):
        self.family_id, self.actor, self.links = family_id, actor, links
        self.raw = (topic, subject, body, child_id)
        self.uploads = uploads
        self.child: Child | None = None
        self.checked = []

    def validate(self) -> None:
        errors = ErrorCollector()
        topic, subject, body, child_id = self.raw
        family = db.session.get(Family, self.family_id)
        if family is None or not family.active:
            raise CommandError(_("Cette famille n'existe pas ou n'est plus active."))
        if topic not in set(Topic):
            errors.add(_("Choisissez le sujet du message."), "topic")
        self.topic = topic
        self.subject = " ".join((subject or "").split())
        if not self.subject:
            errors.add(_("Donnez un objet à votre message."), "subject")
        elif len(self.subject) > MAX_SUBJECT:
            errors.add(_("L'objet dépasse %(max)d caractères.", max=MAX_SUBJECT), "subject")
        self.body = _body(body, errors)
        self.child = _child_of(self.family_id, child_id, errors)
        self.checked = files.check_files(self.uploads, errors)
        errors.raise_if_any()

    def run(self) -> Conversation:
        self.validate()
        return self._stored_then(self._create)

    def _create(self, stored: list[str]) -> Conversation:
        conversation = Conversation(
            family_id=self.family_id, child_id=self.child.id if self.child else None,
            school_id=self.child.school_id if self.child else _first_school(self.family_id),
            topic=self.topic, subject=self.subject, state=ConversationState.open,
            started_by=self.actor.side,
            assigned_to_id=self.actor.user_id if self.actor.side == Side.staff else None,
        )
        db.session.add(conversation)
        message = self._add_message(conversation, self.actor, self.body, stored)
        db.session.flush()
        audit(self.actor, "open", conversation, {"subject": self.subject, "topic": self.topic,
                                                  "message_id": message.id,
                                                  "files": len(stored)})
        notify_other_side(conversation, message, self.links)
        return conversation


class PostMessage(_Writes):
    """A reply in an open conversation, by the family or by the service."""

    def __init__(self, conversation: Conversation, actor: Actor, body, uploads=(),
                 links: Links | None = None):
        self.conversation, self.actor, self.raw_body = conversation, actor, body
        self.uploads, self.links = uploads, links
        self.checked = []

    def validate(self) -> None:
        errors = ErrorCollector()
        if self.conversation.state != ConversationState.open:
            errors.add(_("Cette conversation est close : écrivez un nouveau message."))
        self.body = _body(self.raw_body, errors)
        self.checked = files.check_files(self.uploads, errors)
        errors.raise_if_any()

    def run(self) -> Conversation:
        self.validate()
        return self._stored_then(self._reply)

    def _reply(self, stored: list[str]) -> Conversation:
        conversation = self.conversation
        if self.actor.side == Side.staff and conversation.assigned_to_id is None:
            conversation.assigned_to_id = self.actor.user_id
        message = self._add_message(conversation, self.actor, self.body, stored)
        db.session.flush()
        audit(self.actor, "message", conversation, {"message_id": message.id,
                                                     "files": len(stored)})
        notify_other_side(conversation, message, self.links)
        return conversation


class AssignConversation(BaseCommand):
    """Staff give a conversation to an agent (or to nobody)."""

    def __init__(self, conversation: Conversation, actor: Actor, agent_id,
                 links: Links | None = None):
        self.conversation, self.actor, self.raw, self.links = conversation, actor, agent_id, links
        self.agent_id: int | None = None

    def validate(self) -> None:
        from .queries import agents

        if self.raw in (None, ""):
            return
        try:
            wanted = int(self.raw)
        except (TypeError, ValueError):
            wanted = None
        if wanted not in {a.id for a in agents()}:
            raise CommandError(fields={"agent": _("Choisissez un agent du service.")})
        self.agent_id = wanted

    def run(self) -> Conversation:
        self.validate()
        with transaction():
            before = self.conversation.assigned_to_id
            self.conversation.assigned_to_id = self.agent_id
            audit(self.actor, "assign", self.conversation, {"assigned_to_id":
                                                             [before, self.agent_id]})
            if self.agent_id and self.agent_id != self.actor.user_id:
                notify_agent(self.conversation, self.agent_id, self.links)
        return self.conversation


class CloseConversation(BaseCommand):
    def __init__(self, conversation: Conversation, actor: Actor):
        self.conversation, self.actor = conversation, actor

    def validate(self) -> None:
        if self.conversation.state != ConversationState.open:
            raise CommandError(_("Cette conversation est déjà close."))

    def run(self) -> Conversation:
        self.validate()
        with transaction():
            self.conversation.state = ConversationState.closed
            self.conversation.closed_at = utcnow()
            self.conversation.closed_by_id = self.actor.user_id
            audit(self.actor, "close", self.conversation, {"state": ["open", "closed"]})
        return self.conversation


class MarkRead(BaseCommand):
    """The reader opened the conversation: the other side's messages are read."""

    def __init__(self, conversation: Conversation, reader_side: str,
                 now: dt.datetime | None = None):
        self.conversation, self.side, self.now = conversation, reader_side, now

    def validate(self) -> None:
        if self.side not in set(Side):
            raise CommandError(_("Lecteur inconnu."))

    def run(self) -> int:
        self.validate()
        unread = [m for m in self.conversation.messages
                  if m.side != self.side and m.read_at is None]
        if not unread:
            return 0
        with transaction():
            for message in unread:
                message.read_at = self.now or utcnow()
        return len(unread)


def _child_of(family_id: int, child_id, errors: ErrorCollector) -> Child | None:
    if child_id in (None, ""):
        return None
    try:
        wanted = int(child_id)
    except (TypeError, ValueError):
        wanted = None
    child = (
        db.session.query(Child)
        .join(family_child, family_child.c.child_id == Child.id)
        .filter(family_child.c.family_id == family_id, Child.id == wanted)
        .one_or_none()
    )
    if child is None:
        errors.add(_("Cet enfant n'est pas rattaché à la famille."), "child")
    return child


def _first_school(family_id: int) -> int | None:
    return (
        db.session.query(Child.school_id)
        .join(family_child, family_child.c.child_id == Child.id)
        .filter(family_child.c.family_id == family_id)
        .order_by(Child.first_name, Child.id)
        .limit(1)
        .scalar()
    )
