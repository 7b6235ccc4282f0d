"""The integrity tests run on the fixed portal clock of tests/reservations/builders.py
(Thursday 2026-11-26 09:00) unless a test moves it."""

from __future__ import annotations

import pytest

from tests.reservations.builders import NOW


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())
