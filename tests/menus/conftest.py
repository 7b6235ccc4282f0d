"""Menu tests run on a fixed clock: Tuesday 2026-12-01 09:00, Paris."""

from __future__ import annotations

import pytest

from .builders import NOW


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
