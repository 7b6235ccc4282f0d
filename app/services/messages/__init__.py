"""Messages between a family (one household) and the service des affaires scolaires.

- `commands`: every write (open a conversation, write, assign, close, mark read), each a
  BaseCommand: `validate()` gathers every problem before anything is written, `run()` does
  the change in one `transaction()`, with its audit entry and its mail to the other side
  in the outbox (the mail is safe even while SMTP is down).
- `queries`: what the pages list (a family's conversations, the staff inbox, unread
  counts), each in a fixed number of statements.
- `files`: attachments, checked like every upload (app.services.upload_checks).

A parent only ever reaches a conversation through `family_conversation`, which filters on
the household (for separated parents, the other household's conversations about the child
they share stay out of reach).
"""

from .commands import (
    Actor,
    AssignConversation,
    CloseConversation,
    MarkRead,
    OpenConversation,
    PostMessage,
)
from .queries import (
    family_conversation,
    family_conversations,
    staff_conversation,
    staff_inbox,
    unread_for_family_user,
)

__all__ = [
    "Actor",
    "AssignConversation",
    "CloseConversation",
    "MarkRead",
    "OpenConversation",
    "PostMessage",
    "family_conversation",
    "family_conversations",
    "staff_conversation",
    "staff_inbox",
    "unread_for_family_user",
]
