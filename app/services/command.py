"""The shape of every state-changing user action (after Superset's `BaseCommand`).

`validate()` gathers every problem (an `ErrorCollector`) and raises one `CommandError`
before anything is written; `run()` validates, then does the whole change inside one
`transaction()` and returns what the view needs to show.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class BaseCommand(ABC):
    @abstractmethod
    def validate(self) -> None:
        """Raise `CommandError` with every problem; write nothing."""

    @abstractmethod
    def run(self) -> Any:
        """`validate()`, then the change as one transaction."""
