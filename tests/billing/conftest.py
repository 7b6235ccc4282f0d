"""Billing tests see a started run's outcome at once: its background job runs in the
request that starts it (PORTAL_JOBS_INLINE, as Celery's eager mode). The thread and the
progress bar are tested with it off (tests/jobs, tests/browser/test_billing_flow.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def jobs_inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_JOBS_INLINE", True)
