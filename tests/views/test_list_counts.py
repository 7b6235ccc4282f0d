"""The main back-office lists on large tables: a bounded count (« plus de 10 000 » past
the cap, never a full `count(*)`), their default order served by an index, and at most 10
SQL statements a page."""

from __future__ import annotations

import pytest

from app.security.roles import ADMIN
from tests import factories as f
from tests.views import builders as b

MAIN_LISTS = ["/gestion/reservations/list/", "/gestion/factures/list/",
              "/gestion/file-des-demandes/list/", "/gestion/demandes/list/",
              "/gestion/familles/list/", "/gestion/reglements/list/", "/gestion/avoirs/list/"]


@pytest.fixture
def town(app):
    with app.app_context():
        ref = b.reference_data()
        for i in range(3):
            b.full_family(ref, i)
        f.user("admin1", ADMIN)


@pytest.mark.parametrize("url", MAIN_LISTS)
def test_a_main_staff_list_costs_at_most_10_statements(app, client, count_queries, town, url):
    f.login(client, "admin1")
    client.get(url)  # warm caches (permissions, menu)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    assert counter.count <= 10, (url, counter.count, counter.statements)


def test_past_the_cap_the_count_stops_and_says_plus_de(app, client, count_queries, town,
                                                        monkeypatch):
    f.login(client, "admin1")
    url = "/gestion/reservations/list/"
    client.get(url)
    page = client.get(url).get_data(as_text=True)
    assert "plus de" not in page
    monkeypatch.setitem(app.config, "PORTAL_LIST_COUNT_CAP", 2)
    with count_queries() as counter:
        page = client.get(url).get_data(as_text=True)
    assert "plus de 2" in page
    counts = [s for s in counter.statements if "count(" in s.lower() and "FROM booking" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts), counts
