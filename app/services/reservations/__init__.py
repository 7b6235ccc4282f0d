"""Reservations (domain rules 1–4 and 9): one command per parent or staff action.

Each command's `validate()` gathers every problem (French messages) before anything is
written, and `run()` is one transaction. Deadlines and capacity are enforced here, on the
server; the planning page only mirrors them.
"""

from ..errors import CommandError

__all__ = ["CommandError"]
