"""The suite reads the portal's clock (PORTAL_FIXED_NOW, else Paris time), never the
machine's date: it passes with TZ=Pacific/Kiritimati and with TZ=UTC at 23:30 (when Paris is
already tomorrow)."""

from __future__ import annotations

import re
from pathlib import Path

MACHINE_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.today\(\)")
ROOT = Path(__file__).resolve().parent.parent


def _offenders(folder: Path, allowed: set[str]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        if "node_modules" in path.parts or path.name in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if MACHINE_CLOCK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_tests_never_read_the_machine_date():
    assert _offenders(ROOT / "tests", {"test_clock_usage.py", "test_security_baseline.py"}) == []


def test_the_app_reads_days_from_the_portal_clock():
    # FAB's own lock timestamps (changed_on) are naive machine time: security/manager.py
    # compares like with like; every day and deadline goes through calendar.local_now().
    assert _offenders(ROOT / "app", {"manager.py"}) == []
