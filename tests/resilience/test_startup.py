"""Finding 9: only the flask CLI (`make run`, `flask run`) may start development mode.

`gunicorn "app:create_app()"` (or any other start) without PORTAL_ENV refuses to start with
a French message instead of running the development settings (public SECRET_KEY, payment
sandbox). Production refuses the payment sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "PORTAL_ENV"
FRENCH = "refuse de démarrer"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "FLASK_", "CELERY")) and k not in {
               "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PAYMENT_BACKEND"}}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'start.db'}",
               RATELIMIT_STORAGE_URI="memory://", **extra)
    return env


def test_gunicorn_without_portal_env_refuses_to_start(tmp_path):
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        code = process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("gunicorn started the portal without PORTAL_ENV (development settings)")
    output = process.stdout.read()
    assert code != 0
    assert REFUSAL in output and FRENCH in output, output[-3000:]


def test_a_plain_import_without_portal_env_refuses_with_a_french_message(tmp_path):
    started = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app(); print('started')"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert started.returncode != 0 and "started" not in started.stdout
    assert REFUSAL in started.stderr and FRENCH in started.stderr, started.stderr[-2000:]


def test_an_unknown_portal_env_is_refused(tmp_path):
    started = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT, env=_env(tmp_path, PORTAL_ENV="prod"), capture_output=True, text=True,
        timeout=60)
    assert started.returncode != 0
    assert "PORTAL_ENV" in started.stderr and "production" in started.stderr


def test_the_flask_cli_still_starts_development_mode(tmp_path):
    """`make run` = flask db upgrade, flask portal demo, flask run: the CLI defaults to
    development."""
    flask = Path(sys.executable).with_name("flask")
    started = subprocess.run([str(flask), "--app", "run.py", "routes"], cwd=ROOT,
                             env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr[-2000:]
    assert "/login/" in started.stdout


def test_production_refuses_the_payment_sandbox():
    with pytest.raises(RuntimeError, match="bac à sable"):
        create_app("production", SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://",
                   PORTAL_BASE_URL="https://portail.example.fr", PAYMENT_BACKEND="dummy",
                   RATELIMIT_STORAGE_URI="memory://", REDIS_URL="")


def test_development_never_starts_under_gunicorn_even_when_asked_to_import_run_py(tmp_path):
    """`gunicorn run:app` imports run.py: no flask CLI, so no development either."""
    started = subprocess.run(
        [sys.executable, "-c", "import run"], cwd=ROOT, env=_env(tmp_path),
        capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert FRENCH in started.stderr
