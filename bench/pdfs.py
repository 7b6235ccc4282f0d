"""A month's invoice PDFs rendered by Celery workers: 1 worker vs 2, the ratio printed.

    .venv/bin/python -m bench.pdfs --limit 300      # 300 invoices of the 12,000-family city
    .venv/bin/python -m bench.pdfs --families 1000 --chunk 10

The city is bench/city.py's `portail_city_<N>` (its complete months billed, without PDFs),
built on first use. A private redis-server on a loopback port is the broker; each
run starts N real `celery -A app.worker worker --pool solo` processes (one rendering process
each), forgets the stored PDFs of the month, queues the month's PDFs (`queue_pdfs`: a task
per chunk) and times until every PDF is stored. Recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Invoice, IssuedPdf  # noqa: E402
from app.services.billing.pdf_tasks import queue_pdfs  # noqa: E402
from bench.city import ensure_city  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_workers(env: dict, count: int, tmp: Path) -> list[subprocess.Popen]:
    procs = []
    for n in range(count):
        log = open(tmp / f"worker{n}.log", "w")  # noqa: SIM115 (closed with the process)
        procs.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "app.worker", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "-n", f"bench{n}@%h", "--without-gossip",
             "--without-mingle"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True))
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def forget(ids: list[int]) -> None:
    db.session.query(IssuedPdf).filter(IssuedPdf.kind == "invoice",
                                       IssuedPdf.ref_id.in_(ids)).delete()
    db.session.commit()


def one_run(app, env: dict, workers: int, month, tmp: Path, chunk: int,
            limit: int) -> tuple[float, int]:
    with app.app_context():
        ids = list(db.session.scalars(select(Invoice.id).where(Invoice.period_start == month)
                                      .order_by(Invoice.id).limit(limit)))
        forget(ids)
    shutil.rmtree(Path(env["PORTAL_UPLOAD_DIR"]) / "pdf", ignore_errors=True)
    procs = start_workers(env, workers, tmp)
    try:
        time.sleep(12)  # the workers import the app and connect
        with app.app_context():
            app.config["PORTAL_PDF_CHUNK"] = chunk
            start = time.perf_counter()
            queue_pdfs("invoice", ids)
            while True:
                done = db.session.scalar(select(func.count()).select_from(IssuedPdf)
                                         .where(IssuedPdf.kind == "invoice",
                                                IssuedPdf.ref_id.in_(ids)))
                db.session.rollback()
                if done >= len(ids):
                    elapsed = time.perf_counter() - start
                    forget(ids)
                    return elapsed, len(ids)
                if any(p.poll() is not None for p in procs):
                    raise SystemExit(f"a worker died: see {tmp}")
                time.sleep(0.2)
    finally:
        stop(procs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=12000)
    parser.add_argument("--chunk", type=int, default=5)
    parser.add_argument("--limit", type=int, default=10**9,
                        help="at most this many of the month's invoices")
    args = parser.parse_args()
    url = ensure_city(args.families)
    tmp = Path(tempfile.mkdtemp(prefix="portail-bench-pdfs-"))
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                              "--save", "", "--appendonly", "no", "--dir", str(tmp)],
                             stdout=subprocess.DEVNULL, start_new_session=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLASK_APP": "run.py",
           "PORTAL_ENV": "development", "DATABASE_URL": url,
           "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "PORTAL_UPLOAD_DIR": str(tmp / "uploads")}
    try:
        app = create_app("development", SQLALCHEMY_DATABASE_URI=url,
                         REDIS_URL=env["REDIS_URL"], PORTAL_UPLOAD_DIR=env["PORTAL_UPLOAD_DIR"])
        with app.app_context():
            month = db.session.scalar(select(func.max(Invoice.period_start)))
        results = {n: one_run(app, env, n, month, tmp, args.chunk, args.limit) for n in (1, 2)}
        (t1, count), (t2, _c) = results[1], results[2]
        print(f"{count} invoice PDFs of {month:%m/%Y}, chunks of {args.chunk}, cores: "
              f"{os.cpu_count()}")
        print(f"1 worker : {t1:.1f} s ({count / t1:.1f} PDF/s)")
        print(f"2 workers: {t2:.1f} s ({count / t2:.1f} PDF/s)")
        print(f"speed-up with 2 workers: {t1 / t2:.2f}x (goal >= 1.8x)")
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
