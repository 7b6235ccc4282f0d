"""Issue 10, finding 10: the forgotten-password page does the same work for a known and an
unknown address (no timing oracle); the look-up and the mail happen after the answer, so
even a slow SMTP server does not show."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event

from app.extensions import db

FORGOT = "/compte/mot-de-passe-oublie"


class RequestThreadSql:
    """SQL statements sent by the thread that answers the request (not by work after it)."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.thread = threading.get_ident()
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, *args):
        if threading.get_ident() == self.thread:
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


def _timed_post(app, email: str) -> tuple[float, int, list[str]]:
    client = app.test_client()
    with RequestThreadSql(app) as sql:
        start = time.perf_counter()
        response = client.post(FORGOT, data={"email": email})
        elapsed = time.perf_counter() - start
    return elapsed, response.status_code, sql.statements


def test_known_and_unknown_addresses_cost_the_same_even_with_a_slow_smtp_server(
        app, world, smtp_server):
    smtp_server.delay = 1.5  # a slow server (the fixture's SMTP timeout is 2 s)
    known, known_status, known_sql = _timed_post(app, "martin@example.org")
    unknown, unknown_status, unknown_sql = _timed_post(app, "personne@example.org")
    assert known_status == unknown_status == 303
    assert known_sql == unknown_sql, "the same statements for both addresses"
    assert known < 1.0, f"the answer waited for the mail ({known:.2f} s)"
    assert unknown < 1.0
    app.extensions["portal_background"].wait()
    assert smtp_server.recipients() == ["martin@example.org"]  # sent after the answer
