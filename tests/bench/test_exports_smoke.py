"""bench/exports.py runs end to end on a small PostgreSQL city (its own database, next to
the test database, built by bench/city.py): it \\copy-es the bookings of the first days and
exports the same filtered list through the app in CSV and XLSX, and the CSV has every row.
No time is asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not URL.startswith("postgresql"),
                                 reason="needs TEST_DATABASE_URL=postgresql://…")]
ROOT = Path(__file__).resolve().parents[2]


def _fresh(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def test_the_export_benchmark_runs_on_a_small_city():
    url = make_url(URL)
    city = url.set(database=f"{url.database}_bench_smoke").render_as_string(False)
    _fresh(city)
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--families", "4", "--rows", "400"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "BENCH_CITY_URL": city},
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()
             if line.startswith(("csv ", "xlsx "))}
    assert set(lines) == {"csv", "xlsx"}
    copied = re.search(r": ([\d,]+) rows; \\copy of the same statement", result.stdout)
    assert copied, result.stdout
    rows = int(copied.group(1).replace(",", ""))
    assert rows >= 400 and lines["csv"][-1] == str(rows), "the CSV holds every booking"
