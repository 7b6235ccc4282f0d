"""On PostgreSQL, the first page of each big staff list is read straight from an index in
its order (day DESC then id DESC, FAB's tie-breaker): no sort node, so a city's 20,000
bookings of one day (or 12,000 invoices of one issue date) are never sorted per page.
The plan is asked with sequential scans disabled, so that a small test table does not
hide a missing index behind a cheaper full scan."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import event, text

from app.extensions import db
from app.security.roles import ADMIN
from tests import factories as f
from tests.views import builders as b

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith(
                  "postgresql"), reason="needs TEST_DATABASE_URL=postgresql://…")]

LISTS = {"/gestion/reservations/list/": "FROM booking",
         "/gestion/factures/list/": "FROM invoice",
         "/gestion/reglements/list/": "FROM payment",
         "/gestion/avoirs/list/": "FROM credit_note",
         "/gestion/file-des-demandes/list/": "FROM family_request"}


@pytest.fixture
def town(app):
    with app.app_context():
        ref = b.reference_data()
        for i in range(3):
            b.full_family(ref, i)
        f.user("admin1", ADMIN)


def _page_query(app, client, url: str, table: str) -> tuple[str, dict]:
    """The statement that reads the list's page of rows, with its parameters."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if table in statement and "ORDER BY" in statement and "LIMIT" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen, f"no ordered page query for {url}"
    return seen[0]


@pytest.mark.parametrize("url", LISTS)
def test_the_first_page_is_read_in_order_from_an_index(app, client, town, url):
    f.login(client, "admin1")
    statement, parameters = _page_query(app, client, url, LISTS[url])
    with app.app_context():
        connection = db.session.connection()
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(
            "EXPLAIN " + statement, parameters))
        db.session.rollback()
    assert "Sort" not in plan, plan
    assert "Index Scan" in plan or "Index Only Scan" in plan, plan
