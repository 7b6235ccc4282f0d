"""Fixtures of the fault tests: real servers of our own, stopped and started by the tests."""

from __future__ import annotations

import pytest

from tests.resilience.servers import PostgresCluster, RedisServer


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
