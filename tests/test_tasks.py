"""Background work: in-process without Redis; through Redis to a real Celery worker with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.tasks import celery, ping

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER_START_TIMEOUT = 20  # seconds
# Sends portal.ping the way the app does (create_app reads REDIS_URL), waits for the answer.
_SENDER = """
from app import create_app
from app.tasks import celery, ping
create_app()
assert not celery.conf.task_always_eager, "REDIS_URL set but tasks still run in-process"
print(ping.delay().get(timeout=10))
"""


def test_without_redis_a_task_runs_in_process(app):
    assert app.config["REDIS_URL"] == ""
    assert celery.conf.task_always_eager
    result = ping.delay()
    assert result.successful()
    assert result.get() == "pong"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL} (TEST_REDIS_URL): {exc}")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY", "FLASK_"))}
    env.update(
        REDIS_URL=REDIS_URL,
        PORTAL_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}",
        RATELIMIT_STORAGE_URI="memory://",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def worker(tmp_path):
    """A real `celery -A app.worker worker`, stopped after the test whatever happens."""
    _redis_or_skip()
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "app.worker", "worker", "-P", "solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               "--loglevel=INFO", f"--logfile={log}"]
    process = subprocess.Popen(command, cwd=ROOT, env=_env(tmp_path),
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.redis
def test_a_real_worker_runs_a_task_sent_through_redis(worker, tmp_path):
    process, log = worker
    sent = subprocess.run([sys.executable, "-c", _SENDER], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=WORKER_START_TIMEOUT + 15)
    worker_log = log.read_text() if log.exists() else ""
    assert process.poll() is None, f"the worker died:\n{worker_log}"
    assert sent.returncode == 0, f"{sent.stderr[-2000:]}\nworker log:\n{worker_log}"
    assert sent.stdout.strip().splitlines()[-1] == "pong"
    assert "portal.ping" in worker_log and "succeeded" in worker_log
