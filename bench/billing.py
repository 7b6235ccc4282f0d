"""The monthly billing run against its floor, on PostgreSQL, at several city sizes.

    .venv/bin/python -m bench.billing                        # 1,000 and 12,000 families
    .venv/bin/python -m bench.billing --sizes 1000 4000 12000 --repeat 3 --mails

For each size N the city is bench/city.py's `portail_city_<N>` (a full school year of
bookings, built the first time, reused afterwards). The month measured is the one after the
latest invoiced month (the current month, billed as if it were over), so the run has every
family to invoice; each measure runs inside a transaction that is rolled back, so the city
stays as built.

Printed per size, medians of --repeat runs, alternating run and floor so that a busy
machine slows both alike:
- floor: the bare priced GROUP BY of the same bookings into lines (billed days grouped by
  family, child, service and surcharge, joined to the QF and the tariff's bracket), fetched;
- run: `bill_month(..., commit=False)` without mails (the CLI's run), and with mails queued
  (`--mails`), its SQL statements, and the ratios run / floor.
No timed assertion anywhere: the figures go to docs/performance.md (« Billing run »).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import and_, case, event, func, or_, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Booking,
    Invoice,
    QuotientFamilial,
    SchoolYear,
    Tariff,
    TariffBracket,
)
from app.services.billing.pricing import billed_clause  # noqa: E402
from app.services.billing.run import bill_month, month_end  # noqa: E402
from bench.city import ensure_city, vacuum  # noqa: E402


def city(families: int) -> Flask:
    """The shared benchmark city (bench/city.py), built on first use."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=ensure_city(families), REDIS_URL="")
    with app.app_context():
        upgrade()
    return app


def month_to_bill() -> dt.date:
    """The month after the latest one invoiced: every family has bookings in it (the
    city's families booked the whole year) and none has an invoice for it yet."""
    latest = db.session.scalar(select(func.max(Invoice.period_start)))
    return (latest.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def floor_query(month: dt.date):
    """Billed days grouped into priced lines, in one statement (no numbering, no writing)."""
    end = month_end(month)
    year = select(SchoolYear.id).where(SchoolYear.start_date <= month,
                                       SchoolYear.end_date >= end).scalar_subquery()
    qf = QuotientFamilial.value
    in_bracket = or_(
        and_(qf.is_(None), TariffBracket.qf_max.is_(None)),
        and_(func.coalesce(TariffBracket.qf_min, 0) <= qf,
             or_(TariffBracket.qf_max.is_(None), qf <= TariffBracket.qf_max)))
    price = case((Booking.unbooked == 1, TariffBracket.unbooked_price),
                 else_=TariffBracket.unit_price)
    return (
        select(Booking.family_id, Booking.child_id, Booking.service_id, Booking.unbooked,
               price, func.count(), func.count() * price)
        .select_from(Booking)
        .outerjoin(QuotientFamilial, and_(QuotientFamilial.family_id == Booking.family_id,
                                          Booking.day.between(QuotientFamilial.valid_from,
                                                              QuotientFamilial.valid_to)))
        .join(Tariff, and_(Tariff.service_id == Booking.service_id,
                           Tariff.school_year_id == year))
        .join(TariffBracket, and_(TariffBracket.tariff_id == Tariff.id, in_bracket))
        .where(Booking.day.between(month, end), billed_clause())
        .group_by(Booking.family_id, Booking.child_id, Booking.service_id, Booking.unbooked,
                  price)
    )


def measure_floor(month: dt.date) -> tuple[float, int]:
    started = time.perf_counter()
    rows = db.session.execute(floor_query(month)).all()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    return elapsed, len(rows)


def measure_run(month: dt.date, issued: dt.date, mails: bool) -> tuple[float, int, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        result = bill_month(month, issued, commit=False, notify=mails)
        elapsed = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
    return elapsed, len(statements), result.count


def bench(app: Flask, families: int, repeat: int, mails: bool) -> dict:
    with app.test_request_context():
        month = month_to_bill()
        issued = month_end(month) + dt.timedelta(days=1)
        floors, runs, runs_mail = [], [], []
        for _ in range(repeat):
            floor, lines = measure_floor(month)
            floors.append(floor)
            run, statements, invoices = measure_run(month, issued, False)
            runs.append(run)
            if mails:
                run_mail, statements_mail, _n = measure_run(month, issued, True)
                runs_mail.append(run_mail)
        out = {"families": families, "month": f"{month:%m/%Y}", "lines": lines,
               "invoices": invoices, "floor": statistics.median(floors),
               "run": statistics.median(runs), "statements": statements}
        if mails:
            out.update(run_mail=statistics.median(runs_mail), statements_mail=statements_mail)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 12000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mails", action="store_true", help="also measure with mails queued")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        print(f"city of {size} families…", file=sys.stderr)
        results.append(bench(city(size), size, args.repeat, args.mails))
        vacuum(ensure_city(size))  # the rolled-back runs leave dead rows behind
    print("| families | month | invoices | lines | floor (GROUP BY) | run, no mail | ratio "
          "| SQL statements |" + (" run with mails | ratio | SQL |" if args.mails else ""))
    print("|---|---|---|---|---|---|---|---|" + ("---|---|---|" if args.mails else ""))
    for r in results:
        line = (f"| {r['families']:,} | {r['month']} | {r['invoices']:,} | {r['lines']:,} "
                f"| {r['floor']:.3f} s | {r['run']:.2f} s | {r['run'] / r['floor']:.1f}× "
                f"| {r['statements']} |")
        if args.mails:
            line += (f" {r['run_mail']:.2f} s | {r['run_mail'] / r['floor']:.1f}× "
                     f"| {r['statements_mail']} |")
        print(line)


if __name__ == "__main__":
    main()
