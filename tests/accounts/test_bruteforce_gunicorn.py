"""Issue 10, "done when": a brute force against gunicorn with 2 workers on loopback. Parallel
attempts from several client addresses (127.0.0.2…, real source addresses on loopback)
still lock the account after the configured number of failures in total, and the right
password is then refused."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app.extensions import db
from app.models import LoginAddressFailure, LoginState, User
from app.security.roles import AGENT
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 10)]  # eight client addresses
ATTEMPTS = 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not start")


@pytest.fixture
def gunicorn(app, tmp_path):
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    env = {**os.environ, "PORTAL_ENV": "testing",
           "PORTAL_TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "PORTAL_MAX_FAILED_LOGINS": str(app.config["PORTAL_MAX_FAILED_LOGINS"])}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--preload",
         "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "2", "tests.accounts.gunicorn_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process, tmp_path / "gunicorn.log")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        print((tmp_path / "gunicorn.log").read_text(errors="replace")[-4000:])


def _attempt(port: int, address: str, password: str) -> bool:
    """One login POST from `address`; True if it logged in."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                            source_address=(address, 0))
    try:
        connection.request("POST", "/login/", urlencode(
            {"username": "cible", "password": password}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status in (302, 303) and "/login" not in (
            response.getheader("Location") or "")
    finally:
        connection.close()


def _parallel(port: int, count: int, first: int = 0) -> list[bool]:
    """`count` wrong passwords at once, spread over the client addresses."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(
            lambda n: _attempt(port, ADDRESSES[n % len(ADDRESSES)], f"essai-{n}"),
            range(first, first + count)))


def test_parallel_attempts_from_several_addresses_lock_after_the_limit(app, gunicorn):
    limit = app.config["PORTAL_MAX_FAILED_LOGINS"]
    with app.app_context():
        user_id = f.user("cible", AGENT).id
    # Exactly the limit, all at once, from as many addresses: every one counts.
    assert not any(_parallel(gunicorn, limit))
    assert not _attempt(gunicorn, "127.0.0.20", f.PASSWORD), \
        "after the limit in total, the right password is refused"
    # Many more at once: none is checked, none extends the lock.
    with app.app_context():
        first_lock = db.session.get(LoginState, user_id).locked_until
    assert not any(_parallel(gunicorn, ATTEMPTS, limit))
    with app.app_context():
        db.session.expire_all()
        state = db.session.get(LoginState, user_id)
        assert (state.locks, state.locked_until) == (1, first_lock)
        failures = sum(row.failures for row in db.session.query(LoginAddressFailure))
        assert failures == limit + 1 + ATTEMPTS  # every refused attempt counted per address
        assert db.session.get(User, user_id).last_login is None
