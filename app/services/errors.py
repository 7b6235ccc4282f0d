"""The one error every command raises when its input is refused, and the one transaction.

A view catches `CommandError` (or a subclass) and shows `messages` (French sentences) and
`fields` (field name → French messages) to the user; nothing was written. `transaction()`
is the only place a command commits: one user action, one transaction, rolled back whole on
any error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


def _as_list(value: Any) -> list[str]:
    """One message (a str or a lazy string) or several → a list of French sentences."""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


class CommandError(Exception):
    """A refused action. `messages`: French sentences; `fields`: field → French messages.

    Every refusal of the code base derives from it (PricingError, BillingError,
    CreditNoteError, PaymentError, PaymentRefused, SepaError, CalendarDataError,
    UploadRefused, AmountError…), so a view catches this one class."""

    def __init__(
        self,
        messages: list[str] | str | None = None,
        fields: Mapping[str, list[str] | str] | None = None,
    ):
        self.fields: dict[str, list[str]] = {
            name: _as_list(errors) for name, errors in (fields or {}).items()
        }
        if messages is None:
            messages = [m for errors in self.fields.values() for m in errors]
        self.messages = _as_list(messages)
        super().__init__("; ".join(self.messages))

    @property
    def message(self) -> str:
        """All the messages as one sentence (flash, JSON)."""
        return "; ".join(self.messages)


class ErrorCollector:
    """Gathers every problem of a command's `validate()` before raising them together."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.fields: dict[str, list[str]] = {}

    def add(self, message: str, field: str | None = None) -> None:
        if field is None:
            self.messages.append(message)
        else:
            self.fields.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.messages or self.fields)

    def raise_if_any(self, error_class: type[CommandError] = CommandError) -> None:
        if self:
            every = self.messages + [m for errors in self.fields.values() for m in errors]
            raise error_class(every, self.fields)


@contextmanager
def transaction() -> Iterator[None]:
    """One user action: commit at the end, roll back everything on any exception."""
    from ..extensions import db

    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
