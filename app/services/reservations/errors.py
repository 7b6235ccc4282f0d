"""The error every command raises when its input is refused."""

from __future__ import annotations


class CommandError(Exception):
    """A refused action: `messages` are French sentences for the user; nothing was written."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))
