"""Parents browsing and booking on gunicorn, with locust (`pip install locust`: a bench tool,
not a dependency of the portal or its tests), against a bare FAB list on the same stack.

    .venv/bin/python -m bench.load_parents --users 50 --seconds 60    # the 12,000-family city
    .venv/bin/python -m bench.load_parents --families 1000 --users 20 --seconds 30

Runs on loopback only: bench/city.py's city (a full school year of bookings, a thousand
late requests waiting), gunicorn with deploy/gunicorn.conf.py (2 workers), then two locust
runs of --users users for --seconds each, the same pauses (1 to 3 s) between requests:
1. **parents**: each simulated user logs in as a different parent of the city, then loops:
   home, month planning, books a free day and cancels it (the city stays the same),
   finances;
2. **baseline**: each logs in as its own administrator and loops on a bare FAB list (FAB's own
   ModelView of families, 25 rows, none of the portal's code): what a list page costs on
   this stack.
Prints requests/s, median, p95 and failures of both, and the ratio of throughputs
(parents / baseline; issue 13's goal: >= 1, 0 errors). Recorded in docs/performance.md.
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
import tempfile
import time
from pathlib import Path

PASSWORD = "Parent-Demo-2026"  # app/demo: every parent of the city
ADMIN_LOGIN, ADMIN_PASSWORD = "bench-load-admin", "Bench-Motdepasse-2026"
BARE_LIST = "/bench/bare-families/list/"

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


def _login(client, username: str, password: str) -> None:
    page = client.get("/login/").text
    client.post("/login/", data={"username": username, "password": password,
                                 "csrf_token": _token(page)})


_PARENTS = os.environ.get("BENCH_PARENTS", "claire.martin").split(",")


class Parent(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _login(self.client, _PARENTS.pop() if len(_PARENTS) > 1 else _PARENTS[0], PASSWORD)
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


_ADMINS = os.environ.get("BENCH_ADMINS", ADMIN_LOGIN).split(",")


class BareList(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _login(self.client, _ADMINS.pop() if len(_ADMINS) > 1 else _ADMINS[0], ADMIN_PASSWORD)

    @task
    def bare_list(self) -> None:
        self.client.get(BARE_LIST, name="bare FAB list")


# --- the app gunicorn serves: the portal plus the baseline list --------------------------

def bench_app():
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app import create_app
    from app.models import Family

    class BareFamilyView(ModelView):
        """FAB's plain list of families: the baseline. Searched by plain columns only: by
        default FAB offers a drop-down of every related row (20,000 guardians) in the
        search form of each page, which would make the baseline, not the portal, slow."""

        datamodel = SQLAInterface(Family)
        route_base = "/bench/bare-families"
        list_columns = ["account_code", "name", "city", "email", "phone"]
        search_columns = ["account_code", "name", "city"]
        base_order = ("name", "asc")
        page_size = 25

    app = create_app()
    with app.app_context():
        app.appbuilder.add_view_no_menu(BareFamilyView())
    return app


# --- the driver ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str, users: int) -> tuple[list[str], list[str]]:
    """The baseline's permissions and `users` administrators (one account per simulated
    user, as the parents: a login updates its account's row); `users` parents of the city."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Guardian
    from app.security.roles import ADMIN

    os.environ.update(DATABASE_URL=url, REDIS_URL="", PORTAL_ENV="development")
    app = bench_app()
    with app.app_context():
        app.appbuilder.add_permissions(update_perms=True)
        sm = app.appbuilder.sm
        admins = [f"{ADMIN_LOGIN}-{n}" for n in range(users)]
        for login in admins:
            if sm.find_user(username=login) is None:
                sm.add_user(login, "Banc", "Charge", f"{login}@example.org",
                            sm.find_role(ADMIN), password=ADMIN_PASSWORD)
        user_ids = db.session.scalars(
            select(Guardian.user_id).where(Guardian.user_id.is_not(None))
            .order_by(func.md5(Guardian.id.cast(db.String))).limit(users)).all()
        names = [sm.get_user_by_id(uid).username for uid in user_ids]
        db.session.commit()
    return names, admins


def _locust(user_class: str, port: int, users: int, seconds: int, prefix: str,
            env: dict) -> dict[str, str]:
    subprocess.run([str(BIN / "locust"), "-f", __file__, user_class, "--headless",
                    "--only-summary", "-u", str(users), "-r", str(max(1, users // 10)),
                    "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                    "--stop-timeout", "10", "--csv", prefix], cwd=ROOT, env=env,
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import csv

    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        print(f"  {row['Name']:<16} {row['Request Count']:>6} req, {row['Failure Count']:>4} "
              f"fail, median {row['Median Response Time']:>6} ms, "
              f"p95 {row['95%']:>6} ms, {float(row['Requests/s']):.2f} req/s")
    pages = [r for r in rows if r["Name"] not in ("Aggregated", "/login/")]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {"pages/s": sum(float(r["Requests/s"]) for r in pages),
            "failures": int(total["Failure Count"])}


def main() -> None:
    import argparse

    from bench.city import city_env, describe, ensure_city

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--families", type=int, default=12000)
    args = parser.parse_args()
    url = ensure_city(args.families)
    print(f"city: {describe(url)}")
    parents, admins = _prepare(url, args.users)
    port = _free_port()
    env = {**city_env(url), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
           "GUNICORN_ACCESS_LOG": "/dev/null", "BENCH_PARENTS": ",".join(parents),
           "BENCH_ADMINS": ",".join(admins)}
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                            "bench.load_parents:bench_app()"], cwd=ROOT, env=env,
                           start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        time.sleep(15)  # two workers import the app
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            print(f"parents ({args.users} users, {args.seconds} s):")
            parent = _locust("Parent", port, args.users, args.seconds, f"{tmp}/p", env)
            time.sleep(61)  # the login flood guard counts per minute and per address
            print(f"baseline, bare FAB list ({args.users} users, {args.seconds} s):")
            bare = _locust("BareList", port, args.users, args.seconds, f"{tmp}/b", env)
        ratio = parent["pages/s"] / bare["pages/s"]
        print(f"pages/s (logins left out): parents {parent['pages/s']:.2f}, bare list "
              f"{bare['pages/s']:.2f}, ratio {ratio:.2f}x (goal >= 1); failures: "
              f"{parent['failures']} and {bare['failures']}")
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(40)


if __name__ == "__main__":
    main()
