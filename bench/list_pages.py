"""How the cost of two pages grows with the town's size: the staff families list and the
parent home, for a small town and a big one, in the same run, as a ratio.

    .venv/bin/python -m bench.list_pages                 # N = 100 and 2000, SQLite files
    .venv/bin/python -m bench.list_pages --sizes 100 2000 --repeat 21
    .venv/bin/python -m bench.list_pages --builder own   # skip `flask portal demo`
    .venv/bin/python -m bench.list_pages --postgres --sizes 1000 12000 # bench/city.py's cities

The staff lists (families, bookings, invoices, requests) are also compared with a bare FAB
list of the same app (`BareBookingView`: FAB's own ModelView on bookings, same columns and
order, none of the portal's formatters, eager loads or bounded count): « vs bare » is the
big town's page time over the bare list's in that town (issue 13's goal: <= 2, flat).

The town is built by `flask portal demo --families N` when that command has the option,
otherwise by the small builder below. Pages are served by the Flask test client (no network),
each measured as the median of --repeat requests after two warm-up requests,
alternating between the two towns so that a busy machine slows both alike; the number of
SQL statements per request is shown too. A ratio near 1 means the page does not grow with
the town. Results are recorded in docs/performance.md (no timed assertion in the tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_migrate import upgrade
from sqlalchemy import Engine, event, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Booking,
    Child,
    Family,
    Guardian,
    Invoice,
    School,
    family_child,
)
from app.security.roles import ADMIN, PARENT  # noqa: E402
from bench.city import describe, ensure_city  # noqa: E402

PASSWORD = "Bench-Motdepasse-2026"
PAGES = {"staff families list": "StaffFamilyView.list",
         "staff bookings list": "StaffBookingView.list",
         "staff invoices list": "FinanceInvoiceView.list",
         "staff requests list": "StaffRequestView.list",
         "bare FAB bookings list": "BareBookingView.list",
         "parent home": "ParentHomeView.index",
         "parent month planning": "ParentPlanningView.index"}
BARE = "bare FAB bookings list"


class BareBookingView(ModelView):
    """FAB's plain list of bookings: the baseline a staff list is compared with."""

    datamodel = SQLAInterface(Booking)
    route_base = "/bench/bare-bookings"
    list_columns = ["day", "child", "service", "school", "family", "state", "attendance"]
    # Plain columns only: FAB's default search form lists every family and child in
    # drop-downs on each page (seconds in a city), which is not what a list costs.
    search_columns = ["day", "state", "attendance"]
    base_order = ("day", "desc")
    page_size = 25


@dataclass
class Measure:
    median_ms: float
    queries: int


def build_app(database_url: str) -> Flask:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL="")
    with app.app_context():
        app.appbuilder.add_view_no_menu(BareBookingView())
        upgrade()
        app.appbuilder.sm.create_roles()
        app.appbuilder.add_permissions(update_perms=True)
        db.session.commit()
    return app


def demo_supports_families(app: Flask) -> bool:
    group = app.cli.commands.get("portal")
    demo = group.commands.get("demo") if group is not None else None
    return demo is not None and any(p.name == "families" for p in demo.params)


def build_town_with_demo(app: Flask, families: int) -> None:
    result = app.test_cli_runner().invoke(args=["portal", "demo", "--families", str(families)])
    if result.exit_code != 0:
        raise SystemExit(f"flask portal demo failed:\n{result.output}\n{result.exception!r}")


def build_town_own(app: Flask, families: int) -> None:
    """N families, two children each, in two schools (bulk inserts: seconds, not minutes)."""
    with app.app_context():
        schools = [School(name="École Théodore Chalmel", city="Saint-Père"),
                   School(name="École Sainte-Thérèse", city="Saint-Père")]
        db.session.add_all(schools)
        db.session.flush()
        family_rows = [
            {"account_code": f"B{n:06d}", "name": f"Famille Banc{n}", "city": "Saint-Père",
             "email": f"banc{n}@example.org", "phone": "0299000000", "active": True}
            for n in range(1, families + 1)
        ]
        db.session.execute(insert(Family), family_rows)
        ids = db.session.execute(select(Family.id).order_by(Family.id)).scalars().all()
        child_rows = [
            {"first_name": f"Enfant{i}", "last_name": f"Banc{n}", "school_id": schools[n % 2].id,
             "birth_date": dt.date(2018, 1 + i, 1 + n % 28), "class_name": "CE1",
             "diet": "standard", "has_pai": False, "photo_consent": False}
            for n in range(1, families + 1) for i in range(2)
        ]
        db.session.execute(insert(Child), child_rows)
        kids = db.session.execute(select(Child.id).order_by(Child.id)).scalars().all()
        links = [{"family_id": ids[k // 2], "child_id": kid} for k, kid in enumerate(kids)]
        db.session.execute(insert(family_child), links)
        db.session.commit()


def bench_users(app: Flask) -> tuple[str, str]:
    """An agent of our own, and a parent: the first guardian with a login, or a new one."""
    with app.app_context():
        sm = app.appbuilder.sm
        agent = sm.find_user(username="bench-agent")  # a reused city has it already
        if agent is None:
            sm.add_user("bench-agent", "Banc", "Agent", "bench-agent@example.org",
                        sm.find_role(ADMIN), password=PASSWORD)  # every list, the bare one too
        else:
            sm.reset_password(agent.id, PASSWORD)
        guardian = db.session.execute(
            select(Guardian).where(Guardian.user_id.is_not(None)).order_by(Guardian.id)
        ).scalars().first()
        if guardian is None:
            family = db.session.execute(select(Family).order_by(Family.id)).scalars().first()
            user = sm.add_user("bench-parent", "Banc", "Parent", "bench-parent@example.org",
                               sm.find_role(PARENT), password=PASSWORD)
            guardian = Guardian(family=family, user_id=user.id, first_name="Banc",
                                last_name="Parent")
            db.session.add(guardian)
            db.session.commit()
        else:
            sm.reset_password(guardian.user_id, PASSWORD)
        return "bench-agent", sm.get_user_by_id(guardian.user_id).username


@dataclass
class Probe:
    """A logged-in client on one page of one town; counts the SQL statements it causes."""

    client: FlaskClient
    url: str
    engine: Engine
    statements: int = 0
    timings: list[float] = field(default_factory=list)

    def _count(self, *args) -> None:
        self.statements += 1

    def hit(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            start = time.perf_counter()
            response = self.client.get(self.url)
            self.timings.append((time.perf_counter() - start) * 1000)
        finally:
            event.remove(self.engine, "before_cursor_execute", self._count)
        assert response.status_code == 200, f"{self.url} answered {response.status_code}"

    def result(self) -> Measure:
        return Measure(statistics.median(self.timings), self.statements // len(self.timings))


def probe(app: Flask, username: str, endpoint: str) -> Probe:
    client = app.test_client()
    login = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert login.status_code == 302, f"login of {username} failed"
    with app.test_request_context():
        url = url_for(endpoint)
    for _ in range(2):  # warm-up: templates compiled, caches filled
        assert client.get(url).status_code == 200, f"{url} does not answer 200"
    with app.app_context():
        return Probe(client, url, db.engine)


def build_town(families: int, builder: str, workdir: Path,
               postgres: bool = False) -> dict[str, Probe]:
    if postgres:  # the shared city (bench/city.py): a full school year, built once
        url = ensure_city(families)
        app = build_app(url)
        print(f"N={families}: {describe(url)} (bench/city.py)", file=sys.stderr)
    else:
        app = build_app(f"sqlite:///{workdir / f'town-{families}.db'}")
        use_demo = builder == "demo" or (builder == "auto" and demo_supports_families(app))
        start = time.perf_counter()
        if use_demo:
            build_town_with_demo(app, families)
        else:
            build_town_own(app, families)
        built = time.perf_counter() - start
        with app.app_context():
            counts = {model.__tablename__: db.session.query(model).count()
                      for model in (Family, Child, Booking, Invoice)}
        rows = ", ".join(f"{n} {name}" for name, n in counts.items())
        print(f"N={families}: {rows} (built by "
              f"{'flask portal demo' if use_demo else 'bench builder'} in {built:.1f}s)",
              file=sys.stderr)
    agent, parent = bench_users(app)
    return {page: probe(app, parent if page.startswith("parent") else agent, endpoint)
            for page, endpoint in PAGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 2000], metavar=("SMALL", "BIG"))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--builder", choices=["auto", "demo", "own"], default="auto")
    parser.add_argument("--postgres", action="store_true",
                        help="towns in PostgreSQL databases portail_bench_list_N (127.0.0.1)")
    args = parser.parse_args()
    small, big = args.sizes
    with tempfile.TemporaryDirectory(prefix="portail-bench-") as tmp:
        towns = {n: build_town(n, args.builder, Path(tmp), args.postgres) for n in (small, big)}
        # Interleaved (small, big, small, big…) so a busy machine slows both towns alike.
        for page in PAGES:
            for _ in range(args.repeat):
                for n in (small, big):
                    towns[n][page].hit()
    results = {n: {page: towns[n][page].result() for page in PAGES} for n in (small, big)}
    bare = results[big][BARE].median_ms
    print(f"\n| page | N={small} (ms) | N={big} (ms) | ratio | vs bare (N={big}) "
          f"| SQL N={small} | SQL N={big} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for page in PAGES:
        a, b = results[small][page], results[big][page]
        print(f"| {page} | {a.median_ms:.1f} | {b.median_ms:.1f} | "
              f"{b.median_ms / a.median_ms:.2f} | {b.median_ms / bare:.2f} | {a.queries} | "
              f"{b.queries} |")


if __name__ == "__main__":
    main()
