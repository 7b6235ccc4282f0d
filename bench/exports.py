"""The bookings export (staff « Réservations » list) through the app's streaming CSV and
XLSX code path, against `psql \\copy` of the same rows, in the same run, on PostgreSQL.

    .venv/bin/python -m bench.exports                  # 1,000,000 bookings
    .venv/bin/python -m bench.exports --rows 2000      # a smoke run
    .venv/bin/python -m bench.exports --database-url postgresql://postgres@127.0.0.1:5432/x

The database (default `portail_bench_exports`) is built once with the real migrations and
N bookings (12,500 families of one child for 1,000,000 rows: 80 bookings each, over two
services), then reused while it holds exactly N bookings. Each export runs in a fresh
Python process which logs in a manager (POST /login/) and GETs
`/gestion/reservations/csv` or `/xlsx` with the Flask test client, writing the streamed
body to a file; that process reports its time, its RSS before the export (the app loaded
and logged in) and its peak RSS during the export (Linux VmHWM, reset just before through
/proc/self/clear_refs; `resource.getrusage` elsewhere). The baseline is `psql -c "\\copy
(SELECT …) TO file CSV"` of the SQL statement the export itself runs (compiled from the
app's query, same joins, same order). Goals (issue 13): CSV and XLSX ≤ 5× \\copy, peak
RSS < 100 MB at 1,000,000 rows. Results: docs/performance.md, « Exports ».
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portail_bench_exports"
MANAGER, PASSWORD = "bench-gestion", "Bench-Motdepasse-2026"
ROWS_PER_CHILD = 80


def _app(url: str):
    from app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL="")


def _create_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                             user=parts.username or "postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _booking_count() -> int:
    from sqlalchemy import text

    from app.extensions import db

    try:
        return db.session.execute(text("SELECT count(*) FROM booking")).scalar()
    except Exception:  # no schema yet
        db.session.rollback()
        return -1


_FILL = """
INSERT INTO family (id, account_code, name, city, active, unpaid_block_exempt,
                    created_at, updated_at)
SELECT g, 'B' || lpad(g::text, 7, '0'), 'Famille Bench ' || g, 'Saint-Père', true, false,
       now(), now() FROM generate_series(1, :families) g;
INSERT INTO child (id, first_name, last_name, birth_date, school_id, class_name, has_pai,
                   diet, photo_consent, created_at, updated_at)
SELECT g, 'Enfant' || g, 'Bench' || g, DATE '2018-01-01' + (g % 1500), 1 + g % 2, 'CE1',
       false, 'standard', false, now(), now() FROM generate_series(1, :families) g;
INSERT INTO family_child (family_id, child_id) SELECT g, g FROM generate_series(1, :families) g;
INSERT INTO booking (family_id, child_id, service_id, school_id, day, state, requested_at,
                     attendance, unbooked, created_at, updated_at)
SELECT c, c, 1 + (g / :families) % 2, 1 + c % 2, DATE '2026-09-01' + (g / (2 * :families)),
       'booked', now(), CASE WHEN g % 7 = 0 THEN 'present' END, 0, now(), now()
FROM (SELECT g, 1 + g % :families AS c FROM generate_series(0, :rows - 1) g) AS s;
SELECT setval('family_id_seq', :families); SELECT setval('child_id_seq', :families);
"""


def build(url: str, rows: int) -> None:
    """The database with `rows` bookings (reused when it already has exactly that)."""
    import datetime as dt

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app.extensions import db
    from app.models import School, Service, ServiceCapacity
    from app.security.roles import MANAGER as MANAGER_ROLE

    _create_database(url)
    app = _app(url)
    with app.app_context():
        if _booking_count() == rows:
            print(f"reusing {url} ({rows:,} bookings)")
            return
        print(f"building {url} with {rows:,} bookings…", flush=True)
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        app.appbuilder.sm.create_roles()
        app.appbuilder.add_permissions(update_perms=True)
        schools = [School(id=1, name="École Théodore Chalmel", city="Saint-Père"),
                   School(id=2, name="École Sainte-Thérèse", city="Saint-Père")]
        services = [Service(id=1, code="cantine", name="Restaurant scolaire",
                            booking_deadline_time=dt.time(10), cancel_deadline_time=dt.time(10)),
                    Service(id=2, code="soir", name="Accueil du soir", kind="care_evening",
                            booking_deadline_time=dt.time(10), cancel_deadline_time=dt.time(10))]
        db.session.add_all(schools + services)
        db.session.add_all(ServiceCapacity(school_id=s, service_id=v, capacity=10_000)
                           for s in (1, 2) for v in (1, 2))
        db.session.flush()
        families = max(1, rows // ROWS_PER_CHILD)
        for statement in filter(str.strip, _FILL.split(";")):
            db.session.execute(text(statement), {"families": families, "rows": rows})
        sm = app.appbuilder.sm
        sm.add_user(MANAGER, "Bench", "Gestion", "bench@example.org",
                    sm.find_role(MANAGER_ROLE), password=PASSWORD)
        db.session.commit()
    _psql(url, "VACUUM ANALYZE")


def _psql(url: str, command: str) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True,
                   stdout=subprocess.DEVNULL)


def copy_sql(url: str) -> str:
    """The SQL statement the bookings export runs (the list's default order), compiled."""
    from sqlalchemy.dialects import postgresql

    from app.extensions import db
    from app.models import Booking
    from app.services.exports.catalogue import BOOKINGS

    app = _app(url)
    with app.app_context():
        query = db.session.query(Booking).order_by(Booking.day.desc(), Booking.id.desc())
        statement = BOOKINGS.select(query).statement
        sql = statement.compile(dialect=postgresql.dialect(),
                                compile_kwargs={"literal_binds": True})
    return " ".join(str(sql).split())


def _status(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Linux: the peak RSS (VmHWM) restarts from the current RSS."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child(url: str, fmt: str, out: str) -> None:
    """One export in this process: prints its time and memory as JSON."""
    app = _app(url)
    client = app.test_client()
    response = client.post("/login/", data={"username": MANAGER, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    _reset_peak()
    before = _status("VmRSS")
    started = time.perf_counter()
    response = client.get(f"/gestion/reservations/{fmt}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    with open(out, "wb") as handle:
        for chunk in response.response:
            chunk = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            size += len(chunk)
            handle.write(chunk)
    response.close()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": size, "rss_before_mb": before,
                      "rss_peak_mb": _status("VmHWM")}))


def _run_child(url: str, fmt: str, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--database-url", url, "--child", fmt,
         "--out", str(out)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _copy(url: str, sql: str, out: Path) -> float:
    started = time.perf_counter()
    _psql(url, f"\\copy ({sql}) TO '{out}' WITH (FORMAT csv, HEADER, DELIMITER ';')")
    return time.perf_counter() - started


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.child, args.out)
        return
    build(args.database_url, args.rows)
    sql = copy_sql(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        copy_seconds = _copy(args.database_url, sql, Path(folder) / "copy.csv")
        copy_lines = _lines(Path(folder) / "copy.csv") - 1
        print(f"\nrows: {args.rows:,} bookings; \\copy of the same statement: "
              f"{copy_seconds:.2f} s ({copy_lines:,} rows)")
        ratio = "× \\copy"
        print(f"{'export':<8}{'time':>10}{ratio:>10}{'peak RSS':>12}{'RSS before':>12}"
              f"{'export adds':>13}{'size':>10}{'rows':>12}")
        for fmt in args.formats:
            out = Path(folder) / f"export.{fmt}"
            measure = _run_child(args.database_url, fmt, out)
            rows = _lines(out) - 1 if fmt == "csv" else "-"
            print(f"{fmt:<8}{measure['seconds']:>9.2f}s{measure['seconds'] / copy_seconds:>9.2f}×"
                  f"{measure['rss_peak_mb']:>9.0f} MB{measure['rss_before_mb']:>9.0f} MB"
                  f"{measure['rss_peak_mb'] - measure['rss_before_mb']:>10.0f} MB"
                  f"{measure['bytes'] / 1e6:>7.0f} MB{rows:>12}")


if __name__ == "__main__":
    main()
