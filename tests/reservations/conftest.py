"""The reservation tests run on the fixed portal clock of builders.py (Thursday 2026-11-26
09:00): staff decisions check the day against that clock, like the parents' changes."""

from __future__ import annotations

import pytest

from .builders import NOW


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
