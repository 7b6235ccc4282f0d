"""What the message pages list, each in a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import Conversation, ConversationState, Guardian, Message, Side, User

PAGE_SIZE = 25


@dataclass
class InboxRow:
    conversation: Conversation
    unread: int  # messages of the other side not read yet


def _unread(side: str):
    """Per conversation: messages written by `side` not read yet by the other side."""
    return (
        select(func.count(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.side == side,
            Message.read_at.is_(None),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )


def family_conversations(family_ids: list[int]) -> list[InboxRow]:
    """The household's conversations, newest activity first (one statement)."""
    if not family_ids:
        return []
    rows = (
        db.session.query(Conversation, _unread(Side.staff))
        .options(joinedload(Conversation.child))
        .filter(Conversation.family_id.in_(family_ids))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(200)
        .all()
    )
    return [InboxRow(c, n) for c, n in rows]


def family_conversation(pk: int, family_ids: list[int]) -> Conversation | None:
    """One of the household's conversations with its messages, or None (another family's,
    the other household's of a shared child, or unknown: the view answers 404)."""
    if not family_ids:
        return None
    return (
        db.session.query(Conversation)
        .options(
            joinedload(Conversation.child),
            selectinload(Conversation.messages).selectinload(Message.attachments),
        )
        .filter(Conversation.id == pk, Conversation.family_id.in_(family_ids))
        .one_or_none()
    )


def staff_conversation(pk: int) -> Conversation | None:
    return (
        db.session.query(Conversation)
        .options(
            joinedload(Conversation.family),
            joinedload(Conversation.child),
            joinedload(Conversation.school),
            joinedload(Conversation.assigned_to),
            selectinload(Conversation.messages).selectinload(Message.attachments),
        )
        .filter(Conversation.id == pk)
        .one_or_none()
    )


@dataclass
class InboxFilter:
    school_id: int | None = None
    topic: str | None = None
    assigned: str | None = None  # "me", "none", or None (everyone)
    state: str | None = ConversationState.open  # None: every state
    unread_only: bool = False
    user_id: int | None = None  # the agent looking ("me")


def staff_inbox(wanted: InboxFilter, page: int = 0) -> tuple[list[InboxRow], int, int]:
    """(rows of the page, matching conversations, unread messages of families in them):
    three statements whatever the page size."""
    unread = _unread(Side.family)
    query = db.session.query(Conversation)
    if wanted.school_id:
        query = query.filter(Conversation.school_id == wanted.school_id)
    if wanted.topic:
        query = query.filter(Conversation.topic == wanted.topic)
    if wanted.state:
        query = query.filter(Conversation.state == wanted.state)
    if wanted.assigned == "me":
        query = query.filter(Conversation.assigned_to_id == wanted.user_id)
    elif wanted.assigned == "none":
        query = query.filter(Conversation.assigned_to_id.is_(None))
    if wanted.unread_only:
        query = query.filter(unread > 0)
    ids = query.with_entities(Conversation.id).subquery()
    total, unread_total = db.session.query(
        func.count(ids.c.id),
        select(func.count(Message.id))
        .where(Message.conversation_id.in_(select(ids.c.id)), Message.side == Side.family,
               Message.read_at.is_(None))
        .scalar_subquery(),
    ).one()
    rows = (
        query.add_columns(unread)
        .options(
            joinedload(Conversation.family),
            joinedload(Conversation.child),
            joinedload(Conversation.school),
            joinedload(Conversation.assigned_to),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all()
    )
    return [InboxRow(c, n) for c, n in rows], total, unread_total or 0


def unread_for_family_user(user_id: int):
    """SQL expression: staff messages not read yet in the conversations of the families
    this user is a guardian of (for the menu's count, in the alerts' statement)."""
    families = select(Guardian.family_id).where(Guardian.user_id == user_id)
    return (
        select(func.count(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.family_id.in_(families),
            Message.side == Side.staff,
            Message.read_at.is_(None),
        )
        .scalar_subquery()
    )


def agents() -> list[User]:
    """Staff users an agent can assign a conversation to (active, with a staff role)."""
    from ...security.roles import STAFF_ROLES

    users = (
        db.session.query(User)
        .options(selectinload(User.roles))
        .filter(User.active.is_(True))
        .order_by(User.first_name, User.last_name)
        .all()
    )
    return [u for u in users if any(r.name in STAFF_ROLES for r in u.roles)]
