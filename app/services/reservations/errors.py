"""Kept for the reservation commands' imports: the error lives in `app.services.errors`."""

from ..errors import CommandError

__all__ = ["CommandError"]
