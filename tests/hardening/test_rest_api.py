"""Finding 14 (REST part): `_info` describes fields with real texts (FAB put the translation
catalog's header in every empty description) and French labels; a page size below 1 or
above the maximum is refused in French instead of returning every row."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f
from tests.parent.planning_data import MONDAY, fixed_now, planning_town  # noqa: F401

pytestmark = pytest.mark.usefixtures("fixed_now")
API = "/api/v1/bookings/"


@pytest.fixture
def bookings(app):
    with app.app_context():
        _school, [canteen], fams = planning_town(families=2)
        for fam in fams:
            for week in range(5):
                f.booking(fam, fam.children[0], canteen, MONDAY + dt.timedelta(days=7 * week))


def _fields(info: dict) -> list[dict]:
    return [field for key in ("add_columns", "edit_columns") for field in info.get(key, [])]


def test_info_has_no_catalog_header_and_french_labels(client, bookings):
    f.login(client, "parent0")
    response = client.get(f"{API}_info")
    assert response.status_code == 200
    assert "Project-Id-Version" not in response.get_data(as_text=True)
    fields = _fields(response.json)
    assert fields, response.json
    labels = {field["name"]: field["label"] for field in fields}
    assert labels.get("child") == "Enfant" and labels.get("day") == "Jour", labels


@pytest.mark.parametrize("q", ["(page_size:-5)", "(page_size:0)", "(page_size:-1)",
                               "(page_size:1000)", "(page:-1,page_size:2)"])
def test_out_of_range_page_arguments_are_refused_in_french(client, bookings, q):
    f.login(client, "parent0")
    response = client.get(f"{API}?q={q}")
    assert response.status_code == 400
    assert "page" in response.json["message"] and "Bad Request" not in response.json["message"]


def test_a_valid_page_size_is_honoured_and_scoped(client, bookings):
    f.login(client, "parent0")
    response = client.get(f"{API}?q=(page_size:2)")
    assert response.status_code == 200
    assert response.json["count"] == 5 and len(response.json["result"]) == 2
