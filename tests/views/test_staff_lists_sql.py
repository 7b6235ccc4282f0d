"""Every back-office list (and the CSV export, and a family's page with its tabs) costs
the same number of SQL statements for a town of 3 families as for a town of 30."""

from __future__ import annotations

from app.views.base import StaffModelView
from tests import factories as f
from tests.views import builders as b


def _staff_views(app) -> list[StaffModelView]:
    return [v for v in app.appbuilder.baseviews if isinstance(v, StaffModelView)]


def _statements(client, count_queries, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url).close()  # warm caches (permissions, menu)
        with count_queries() as counter:
            response = client.get(url)
            response.get_data()  # a streamed export runs its statements while it is read
            response.close()
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


def _grow_town(app, families: int) -> None:
    with app.app_context():
        ref = b.reference_data()
        for i in range(families):
            b.full_family(ref, i)


def _grow_more(app, start: int, stop: int) -> None:
    """Families `start`…`stop - 1`, and ten more of every reference row."""
    with app.app_context():
        ref = b.existing_reference()
        b.more_reference(ref, 10)
        for i in range(start, stop):
            b.full_family(ref, i)


def test_the_town_builder_fills_every_staff_list(app, client):
    """Guards the test below: a list without rows would prove nothing."""
    _grow_town(app, 1)
    with app.app_context():
        f.user("admin1", "Admin")
    f.login(client, "admin1")
    views = [v for v in _staff_views(app) if v.datamodel.obj in b.BUILT_MODELS]
    assert len(views) >= 25
    for view in views:
        page = client.get(f"{view.route_base}/list/").get_data(as_text=True)
        assert "Aucun enregistrement" not in page and "No records found" not in page, (
            type(view).__name__)


def test_staff_pages_cost_does_not_grow_with_rows(app, client, count_queries):
    """Lists, CSV exports, and the pages whose tabs list related rows (a family's
    bookings, payments, children…), built once for both towns (the town is slow to build)."""
    _grow_town(app, 3)
    with app.app_context():
        f.user("admin1", "Admin")
    f.login(client, "admin1")
    views = _staff_views(app)
    assert len(views) >= 25
    urls = [f"{v.route_base}/list/" for v in views] + [f"{v.route_base}/csv" for v in views]
    urls += ["/gestion/familles/show/1", "/gestion/enfants/show/1", "/gestion/factures/show/1",
             "/gestion/ecoles/show/1", "/gestion/services/show/1", "/gestion/tarifs/show/1",
             "/gestion/annees-scolaires/show/1", "/gestion/types-de-documents/show/1"]
    small = _statements(client, count_queries, urls)
    _grow_more(app, 3, 30)
    big = _statements(client, count_queries, urls)
    grown = {url: (small[url], big[url]) for url in urls if big[url] != small[url]}
    assert not grown, f"statements (3 families) vs (30 families): {grown}"
