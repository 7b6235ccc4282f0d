"""Parents browsing and booking on gunicorn, with locust (`pip install locust`: a bench tool,
not a dependency of the portal or its tests).

    .venv/bin/python -m bench.load_parents                    # 20 parents, 45 s, 2 workers
    .venv/bin/python -m bench.load_parents --users 50 --seconds 60

Runs on loopback only: a PostgreSQL database built once by `flask portal demo --families N`
(BENCH_DATABASE_URL, default portail_bench_load), gunicorn with deploy/gunicorn.conf.py
(2 workers), then `locust --headless` against it for a bounded time. Each simulated parent
logs in (a demo parent), then loops: home, month planning, books a free day and cancels it
(so the town stays the same), finances. Prints locust's summary (requests/s, p50/p95, errors);
recorded in docs/performance.md. gunicorn is stopped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PARENTS = ("claire.martin", "yann.legall", "thomas.bernard", "julie.morel")  # app/demo
PASSWORD = "Parent-Demo-2026"

try:  # the locustfile part (imported by locust)
    from locust import HttpUser, between, task
except ImportError:  # running the driver without locust installed
    HttpUser = object  # type: ignore[assignment,misc]

    def task(*args):  # type: ignore[no-redef]
        return args[0] if args and callable(args[0]) else (lambda f: f)

    def between(*_args):  # type: ignore[no-redef]
        return None


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else ""


class Parent(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        page = self.client.get("/login/").text
        self.client.post("/login/", data={"username": random.choice(PARENTS),
                                          "password": PASSWORD, "csrf_token": _token(page)})
        self.month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    @task(3)
    def home(self) -> None:
        self.client.get("/famille/", name="home")

    @task(3)
    def planning(self) -> None:
        self.client.get(f"/famille/planning/{self.month:%Y-%m}", name="planning")

    @task(1)
    def finances(self) -> None:
        self.client.get("/famille/finances/", name="finances")

    @task(2)
    def book_and_cancel(self) -> None:
        page = self.client.get(f"/famille/planning/{self.month:%Y-%m}", name="planning").text
        forms = re.findall(r'<form[^>]*/famille/planning/jour.*?</form>', page, re.S)
        random.shuffle(forms)
        for form in forms:
            child = re.search(r'name="child" value="(\d+)"', form)
            service = re.search(r'name="service" value="(\d+)"', form)
            days = re.findall(r'<button type="submit" name="day" value="([\d-]+)"', form)
            if child and service and days:
                data = {"csrf_token": _token(page), "child": child.group(1),
                        "service": service.group(1), "day": random.choice(days)}
                for action in ("book", "cancel"):  # the town stays as it was
                    with self.client.post("/famille/planning/jour", data={**data,
                                          "action": action}, name=f"day {action}",
                                          catch_response=True) as answer:
                        if answer.status_code in (200, 400):  # 400: refused with a message
                            answer.success()
                return


# --- the driver ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portail_bench_load"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_town(env: dict, url: str, families: int) -> None:
    name = url.rsplit("/", 1)[1]
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    query = f"SELECT 1 FROM pg_database WHERE datname='{name}'"
    if subprocess.run(["psql", *pg, "-tAc", query], capture_output=True,
                      text=True).stdout.strip():
        return
    subprocess.run(["createdb", *pg, name], check=True)
    for args in (["db", "upgrade"], ["portal", "demo", "--families", str(families)]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True,
                       capture_output=True)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--families", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLASK_APP": "run.py",
           "PORTAL_ENV": "development", "DATABASE_URL": url, "REDIS_URL": "",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
           "GUNICORN_ACCESS_LOG": "/dev/null"}
    _ensure_town(env, url, args.families)
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                            "app:create_app()"], cwd=ROOT, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(15)  # two workers import the app
        subprocess.run([str(BIN / "locust"), "-f", __file__, "--headless", "--only-summary",
                        "-u", str(args.users), "-r", str(max(1, args.users // 10)),
                        "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
                        "--stop-timeout", "10"], cwd=ROOT, check=False)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(40)


if __name__ == "__main__":
    main()
