"""The bookings export (staff « Réservations » list) through the app's streaming CSV and
XLSX code path, against `psql \\copy` of the same rows, in the same run, on PostgreSQL.

    .venv/bin/python -m bench.exports                  # ~1,000,000 bookings of the 12k city
    .venv/bin/python -m bench.exports --families 1000 --rows 100000

The city is bench/city.py's `portail_city_<N>` (a full school year of bookings). The rows
exported are the list filtered on its first days: from the year's first booked day to the
day the count reaches --rows (the staff list's own filters, « Jour » after / before, in the
URL), so the XLSX stays under Excel's 1,048,576 rows. Each export runs in a fresh Python
process which logs in a manager (POST /login/) and GETs `/gestion/reservations/csv` or
`/xlsx` with those filters through the Flask test client, writing the streamed body to a
file; that process reports its time, its RSS before the export (the app loaded and logged
in) and its peak RSS during the export (Linux VmHWM, reset just before through
/proc/self/clear_refs; `resource.getrusage` elsewhere). The baseline is `psql -c "\\copy
(SELECT …) TO file CSV"` of the SQL statement the export itself runs (compiled from the
app's query, same joins, same filter, same order); the bench checks that both give the same
number of rows. Goals (issue 13): CSV and XLSX ≤ 5× \\copy, peak RSS < 100 MB at
1,000,000 rows. Results: docs/performance.md, « Exports ».
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MANAGER, PASSWORD = "bench-gestion", "Bench-Motdepasse-2026"


def _app(url: str):
    from app import create_app

    # The streaming path itself (a larger export would otherwise go to a background job).
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL="",
                      PORTAL_EXPORT_JOB_ROWS=10**9, PORTAL_EXPORT_JOB_ROWS_CSV=10**9)


def prepare(url: str, rows: int) -> tuple[str, str]:
    """The manager who exports, and the window of days (exclusive bounds, as the list's
    « after » and « before » filters) holding about `rows` bookings."""
    import datetime as dt

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Booking
    from app.security.roles import MANAGER as MANAGER_ROLE

    app = _app(url)
    with app.app_context():
        sm = app.appbuilder.sm
        if sm.find_user(username=MANAGER) is None:
            sm.add_user(MANAGER, "Bench", "Gestion", "bench@example.org",
                        sm.find_role(MANAGER_ROLE), password=PASSWORD)
            db.session.commit()
        per_day = db.session.execute(select(Booking.day, func.count()).group_by(Booking.day)
                                     .order_by(Booking.day)).all()
    total, last = 0, per_day[-1][0]
    for day, count in per_day:
        total += count
        if total >= rows:
            last = day
            break
    after = per_day[0][0] - dt.timedelta(days=1)
    return after.isoformat(), (last + dt.timedelta(days=1)).isoformat()


def _psql(url: str, command: str) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True,
                   stdout=subprocess.DEVNULL)


def copy_sql(url: str, after: str, before: str) -> str:
    """The SQL statement the bookings export runs (the list's filters and default order),
    compiled."""
    import datetime as dt

    from sqlalchemy.dialects import postgresql

    from app.extensions import db
    from app.models import Booking
    from app.services.exports.catalogue import BOOKINGS

    app = _app(url)
    with app.app_context():
        query = (db.session.query(Booking)
                 .filter(Booking.day > dt.date.fromisoformat(after),
                         Booking.day < dt.date.fromisoformat(before))
                 .order_by(Booking.day.desc(), Booking.id.desc()))
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


def child(url: str, fmt: str, out: str, window: str) -> None:
    """One export in this process: prints its time and memory as JSON."""
    app = _app(url)
    client = app.test_client()
    response = client.post("/login/", data={"username": MANAGER, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    _reset_peak()
    before = _status("VmRSS")
    started = time.perf_counter()
    first, last = window.split(",")
    response = client.get(f"/gestion/reservations/{fmt}?_flt_1_day={first}&_flt_2_day={last}",
                          buffered=False)
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


def _run_child(url: str, fmt: str, out: Path, window: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--database-url", url, "--child", fmt,
         "--out", str(out), "--window", window], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True)
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
    parser.add_argument("--families", type=int, default=12000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--window", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.child, args.out, args.window)
        return
    from bench.city import describe, ensure_city

    url = ensure_city(args.families)
    after, before = prepare(url, args.rows)
    sql = copy_sql(url, after, before)
    print(f"city: {describe(url)}")
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        copy_seconds = _copy(url, sql, Path(folder) / "copy.csv")
        copy_lines = _lines(Path(folder) / "copy.csv") - 1
        print(f"\nbookings after {after} and before {before}: {copy_lines:,} rows; "
              f"\\copy of the same statement: {copy_seconds:.2f} s")
        ratio = "× \\copy"
        print(f"{'export':<8}{'time':>10}{ratio:>10}{'peak RSS':>12}{'RSS before':>12}"
              f"{'export adds':>13}{'size':>10}{'rows':>12}")
        for fmt in args.formats:
            out = Path(folder) / f"export.{fmt}"
            measure = _run_child(url, fmt, out, f"{after},{before}")
            rows = _lines(out) - 1 if fmt == "csv" else "-"
            if fmt == "csv" and rows != copy_lines:
                raise SystemExit(f"the CSV has {rows} rows, \\copy {copy_lines}")
            print(f"{fmt:<8}{measure['seconds']:>9.2f}s{measure['seconds'] / copy_seconds:>9.2f}×"
                  f"{measure['rss_peak_mb']:>9.0f} MB{measure['rss_before_mb']:>9.0f} MB"
                  f"{measure['rss_peak_mb'] - measure['rss_before_mb']:>10.0f} MB"
                  f"{measure['bytes'] / 1e6:>7.0f} MB{rows:>12}")


if __name__ == "__main__":
    main()
