"""`make prod-check`: the production stack, tried on loopback, then stopped.

Starts a dedicated PostgreSQL database (on the local server, 127.0.0.1:5432), a private
redis-server, an aiosmtpd server (in this process), gunicorn (deploy/gunicorn.conf.py,
2 workers), a Celery worker and Celery beat, all with PORTAL_ENV=production; then a smoke
test: /sante answers 200, a parent logs in and books a day, last month is billed by the CLI,
the invoice mails arrive in aiosmtpd (sent by the worker), the invoices' PDFs are stored
(rendered by the worker at issue), /sante still 200. Everything is stopped and the database
dropped, pass or fail. Exit code 0: passed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
DATABASE = os.environ.get("PRODCHECK_DATABASE", "portail_prodcheck")
HOST = "portail.prodcheck.test"  # PORTAL_BASE_URL's host: the app trusts no other Host
PARENT, PARENT_PASSWORD = "yann.legall", "Parent-Demo-2026"  # app/demo (no consent due)


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def step(text: str) -> None:
    print(f"[prod-check] {text}", flush=True)


class Stack:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="portail-prodcheck-"))
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.web_port, self.redis_port, self.smtp_port = free_port(), free_port(), free_port()
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=self.smtp_port)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT), "FLASK_APP": "run.py", "PORTAL_ENV": "production",
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DATABASE}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": secrets.token_hex(32), "PORTAL_BASE_URL": f"https://{HOST}",
            "SESSION_COOKIE_SECURE": "0", "PAYMENT_BACKEND": "payfip_ws",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.smtp_port),
            "MAIL_SUPPRESS_SEND": "0", "PORTAL_UPLOAD_DIR": str(self.tmp / "uploads"),
            "MAIL_OUTBOX_DIR": str(self.tmp / "mails"),
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}", "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": str(self.tmp / "access.log"),
        }

    # --- processes ------------------------------------------------------------------------

    def run(self, *args: str, env: dict | None = None) -> str:
        done = subprocess.run(args, cwd=ROOT, env=env or self.env, capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, *args: str) -> None:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))

    def up(self) -> None:
        step(f"database {DATABASE}, redis :{self.redis_port}, smtp :{self.smtp_port}")
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)
        subprocess.run(["createdb", *PG, DATABASE], check=True)
        self.start("redis", "redis-server", "--bind", "127.0.0.1", "--port",
                   str(self.redis_port), "--save", "", "--appendonly", "no",
                   "--dir", str(self.tmp))
        self.smtp.start()
        setup = {**self.env, "PORTAL_ENV": "development", "REDIS_URL": ""}
        self.run(str(BIN / "flask"), "db", "upgrade", env=setup)
        # The demo town as of the 6th of last month: last month's bookings are not billed.
        self.run(str(BIN / "flask"), "portal", "demo", "--families", "12",
                 "--today", f"{last_month():%Y-%m}-06", env=setup)
        step(f"gunicorn :{self.web_port}, celery worker, celery beat")
        self.start("gunicorn", str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                   "app:create_app()")
        self.start("worker", str(BIN / "celery"), "-A", "app.worker", "worker",
                   "--concurrency", "2", "--loglevel", "INFO", "-n", "prodcheck@%h")
        self.start("beat", str(BIN / "celery"), "-A", "app.worker", "beat",
                   "--schedule", str(self.tmp / "beat-schedule"), "--loglevel", "INFO")

    def down(self) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(40)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
            step(f"stopped {name} ({proc.returncode})")
        with contextlib.suppress(Exception):  # never started
            self.smtp.stop()
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self) -> None:
        for path in sorted(self.tmp.glob("*.log")):
            print(f"--- {path.name} (end) ---\n{path.read_text(errors='replace')[-3000:]}")

    # --- smoke test -----------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web_port}{path}"

    def session(self) -> requests.Session:
        http = requests.Session()
        http.headers["Host"] = HOST
        return http

    def health(self, wait: float = 180.0) -> dict:
        deadline, last = time.monotonic() + wait, None
        while time.monotonic() < deadline:
            try:
                last = requests.get(self.url("/sante/"), headers={"Host": HOST}, timeout=60)
                if last.status_code == 200:
                    return last.json()
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(1)
        raise AssertionError(f"/sante never 200: {last and last.status_code} {last and last.text}")


def psql(query: str) -> int:
    done = subprocess.run(["psql", *PG, "-d", DATABASE, "-tAc", query], check=True,
                          capture_output=True, text=True)
    return int(done.stdout.strip() or 0)


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def last_month(today: dt.date | None = None) -> dt.date:
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def book_a_day(stack: Stack, http: requests.Session) -> str:
    page = http.get(stack.url("/login/")).text
    answer = http.post(stack.url("/login/"), data={
        "username": PARENT, "password": PARENT_PASSWORD, "csrf_token": csrf(page)})
    assert answer.ok and "/login" not in answer.url, f"login refused ({answer.status_code})"
    today = dt.date.today()
    for month in (today.replace(day=1) + dt.timedelta(days=32 * k) for k in (0, 1, 2)):
        month = month.replace(day=1)
        page = http.get(stack.url(f"/famille/planning/{month:%Y-%m}")).text
        for form in re.findall(r'<form[^>]*/famille/planning/jour.*?</form>', page, re.S):
            child = re.search(r'name="child" value="(\d+)"', form)
            service = re.search(r'name="service" value="(\d+)"', form)
            days = re.findall(r'<button type="submit" name="day" value="([\d-]+)"', form)
            if not (child and service):
                continue
            for day in days:
                where = (f"child_id={child.group(1)} AND service_id={service.group(1)} "
                         f"AND day='{day}' AND state IN ('booked', 'pending')")
                if psql(f"SELECT count(*) FROM booking WHERE {where}"):
                    continue  # already booked: the button would cancel it
                answer = http.post(stack.url("/famille/planning/jour"), data={
                    "csrf_token": csrf(page), "child": child.group(1),
                    "service": service.group(1), "day": day, "action": "book"})
                if answer.status_code == 400:  # refused (deadline, closed day…): the next
                    continue
                assert answer.ok, f"booking failed ({answer.status_code})"
                if psql(f"SELECT count(*) FROM booking WHERE {where}"):
                    return day
    raise AssertionError("no bookable day found on the parent's planning")


def smoke(stack: Stack) -> None:
    report = stack.health()
    step(f"/sante 200: {report}")
    http = stack.session()
    day = book_a_day(stack, http)
    step(f"{PARENT} booked {day}")
    month = last_month()
    out = stack.run(str(BIN / "flask"), "portal", "billing", "run", "--month", f"{month:%Y-%m}")
    step(f"billing {month:%Y-%m}: {out.strip().splitlines()[-1] if out.strip() else ''}")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not stack.inbox.messages:
        time.sleep(1)
    invoices = [m for m in stack.inbox.messages if b"facture" in m.lower()]
    assert invoices, f"no invoice mail in aiosmtpd ({len(stack.inbox.messages)} messages)"
    deadline = time.monotonic() + 120  # the invoices' PDFs, rendered by the worker at issue
    while time.monotonic() < deadline and psql(
            "SELECT count(*) FROM invoice i WHERE NOT EXISTS (SELECT 1 FROM issued_pdf p "
            "WHERE p.kind = 'invoice' AND p.ref_id = i.id) "
            f"AND i.period_start = '{month:%Y-%m-%d}'"):
        time.sleep(1)
    pdfs = psql("SELECT count(*) FROM issued_pdf WHERE kind = 'invoice'")
    assert pdfs, "no invoice PDF stored at issue"
    step(f"{pdfs} invoice PDFs rendered at issue by the worker and stored")
    report = stack.health()
    step(f"{len(stack.inbox.messages)} mails received; /sante 200: {report}")


def main() -> int:
    stack = Stack()
    try:
        stack.up()
        smoke(stack)
        step("PASSED")
        return 0
    except Exception as exc:  # noqa: BLE001 (report, stop everything, fail)
        step(f"FAILED: {exc}")
        stack.logs()
        return 1
    finally:
        stack.down()


if __name__ == "__main__":
    sys.exit(main())
