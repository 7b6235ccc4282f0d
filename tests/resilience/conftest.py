"""Fixtures of the fault tests: real servers of our own, stopped and started by the tests."""

from __future__ import annotations

import pytest

from tests.resilience.servers import MaildirSmtpServer, PostgresCluster, RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def pg_cluster():
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def mail_relay(app):
    """Our own SMTP server process, and the app's mail settings pointed at it."""
    server = MaildirSmtpServer().start()
    overrides = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_USE_TLS": False,
                 "MAIL_USE_SSL": False, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
                 "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 1}
    saved = {key: app.config.get(key) for key in overrides}
    app.config.update(overrides)
    try:
        yield server
    finally:
        app.config.update(saved)
        server.close()
