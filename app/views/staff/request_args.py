"""What the back office's hand-written pages read from the request (page number, a typed
day, the acting user), shared by the finance pages."""

from __future__ import annotations

import datetime as dt

from flask import g, request

from ...services.reservations.lookup import parse_typed_day

PAGE_SIZE = 25


def user_id() -> int | None:
    """The acting staff member (passed to the commands)."""
    return getattr(getattr(g, "user", None), "id", None)


def page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def day(text: str | None) -> dt.date | None:
    return parse_typed_day((text or "").strip())
