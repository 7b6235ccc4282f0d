"""bench/exports.py runs end to end on a small PostgreSQL database (its own, next to the
test database): it builds the bookings, \\copy-es them and exports them through the app in
CSV and XLSX, and the CSV has every row. No time is asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not URL.startswith("postgresql"),
                                 reason="needs TEST_DATABASE_URL=postgresql://…")]
ROOT = Path(__file__).resolve().parents[2]


def test_the_export_benchmark_runs_on_a_small_town():
    url = URL.rsplit("/", 1)[0] + "/" + URL.rsplit("/", 1)[1].split("?")[0] + "_bench_smoke"
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--rows", "400", "--database-url", url],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()
             if line.startswith(("csv ", "xlsx "))}
    assert set(lines) == {"csv", "xlsx"}
    assert lines["csv"][-1] == "400", "the CSV holds every booking"
    assert "\\copy of the same statement" in result.stdout and "(400 rows)" in result.stdout
