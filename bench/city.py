"""The benchmark city on PostgreSQL, built once and shared by every benchmark.

    .venv/bin/python -m bench.city --families 12000     # build (or report) portail_city_12000

`flask portal demo --families N --full-year --pending-requests 1000` in its own database
`portail_city_<N>` (PostgreSQL on 127.0.0.1): a full school year of bookings (families book
the year ahead, attendance recorded for past days), every complete month invoiced through
the billing engine (PDFs not rendered), a thousand late requests waiting for staff. Built
with the real migrations the first time, reused afterwards; BENCH_CITY_URL points the
benchmarks at another database. Benchmarks only read it, or roll back what they write.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PENDING_REQUESTS = 1000
TABLES = ("family", "child", "booking", "invoice", "family_request")


def city_url(families: int) -> str:
    default = f"postgresql://postgres@127.0.0.1:5432/portail_city_{families}"
    return os.environ.get("BENCH_CITY_URL", default)


def city_env(url: str) -> dict[str, str]:
    """The environment of a `flask` command or a gunicorn/celery process on the city."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "FLASK_APP": "run.py",
            "PORTAL_ENV": "development", "DATABASE_URL": url, "REDIS_URL": "",
            "PORTAL_PDF_AT_ISSUE": "0"}


def _exists(url: str) -> bool:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": target.database})
        if not found:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return bool(found)


def _built(url: str) -> bool:
    engine = create_engine(url)
    with engine.connect() as conn:
        has_table = conn.scalar(text("SELECT to_regclass('public.family') IS NOT NULL"))
        families = has_table and conn.scalar(text("SELECT count(*) FROM family"))
    engine.dispose()
    return bool(families)


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}
        found["pending requests"] = conn.scalar(text(
            "SELECT count(*) FROM family_request WHERE state = 'pending'"))
    engine.dispose()
    return found


def ensure_city(families: int, url: str | None = None) -> str:
    """Build the city if its database is empty; returns its URL."""
    url = url or city_url(families)
    if _exists(url) and _built(url):
        return url
    env = city_env(url)
    started = time.monotonic()
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "flask"), "portal", "demo", "--families", str(families),
                    "--full-year", "--pending-requests", str(PENDING_REQUESTS)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    vacuum(url)
    print(f"  city of {families} families built in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return url


def vacuum(url: str) -> None:
    """VACUUM ANALYZE: after a build, and after a benchmark that wrote and rolled back (a
    billing run leaves 12,000 dead invoices and their index entries behind, which would
    slow the next benchmark's queries until autovacuum passes)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def describe(url: str) -> str:
    return ", ".join(f"{n:,} {name}".replace(",", " ") for name, n in counts(url).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=12000)
    args = parser.parse_args()
    url = ensure_city(args.families)
    print(f"{make_url(url).database}: {describe(url)}")


if __name__ == "__main__":
    main()
