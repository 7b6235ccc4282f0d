from __future__ import annotations

import logging

import pytest

from . import builders as b


@pytest.fixture(autouse=True)
def payment_log_enabled():
    """The in-process `flask db upgrade` of the test session (alembic's fileConfig) disables
    the loggers that existed then; the payment log is part of what these tests check."""
    logger = logging.getLogger("app.payments")
    disabled = logger.disabled
    logger.disabled = False
    yield
    logger.disabled = disabled


@pytest.fixture
def town(app):
    with app.app_context():
        return b.town()
