"""The staff tests run on the fixed clock of tests/staff/data.py (Thursday 2026-11-26 09:00)."""

from __future__ import annotations

import pytest

from .data import NOW


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
