"""The pages around payments: the sandbox's guards, the parent's Finances page cost, and
who reaches the staff pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from app.security.roles import AGENT, MANAGER
from tests import factories as f

from . import builders as b


def _sandbox_url(**changes) -> str:
    fields = {"transaction_id": "abc123", "amount": "12.50", "orderid": "FAC2026000001",
              "origin": "Ville", "return_url": "http://localhost/famille/finances/",
              "direct_notification_url": "http://localhost/paiement/notification", **changes}
    return "/sandbox/pay?" + urlencode(fields)


def test_sandbox_page_offers_the_three_answers(client):
    page = client.get(_sandbox_url())
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "12,50 €" in body and "Bac à sable de paiement" in body
    for decision in ("pay", "refuse", "abandon"):
        assert f'value="{decision}"' in body


@pytest.mark.parametrize("changes", [
    {"return_url": "https://evil.example/phish"},
    {"direct_notification_url": "http://169.254.169.254/latest"},
    {"amount": "-5"}, {"amount": "abc"}, {"transaction_id": ""},
])
def test_sandbox_refuses_foreign_urls_and_bad_amounts(client, changes):
    assert client.get(_sandbox_url(**changes)).status_code == 400


def test_sandbox_is_off_with_a_real_backend(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_BACKEND", "payfip_ws")
    assert client.get(_sandbox_url()).status_code == 404
    assert client.post("/sandbox/pay", data={"decision": "pay"}).status_code == 404


def _fill(town, first: int, invoices: int) -> None:
    kid = town.alice_kids[0]
    for n in range(first, first + invoices):
        inv = b.invoice(town.alice, [(kid, town.canteen, "10.00"), (kid, town.care, "5.00")],
                        period=dt.date(2025 + (n + 8) // 12, (n + 8) % 12 + 1, 1))
        b.pay(town.alice, inv.id, "4.00", dt.date(2026, 10, 1))


def test_finances_page_cost_does_not_grow_with_invoices(app, client, count_queries, town):
    counts = []
    f.login(client, "alice")
    for first, more in ((0, 1), (1, 9)):
        with app.app_context():
            _fill(town, first, more)
        client.get("/famille/finances/")
        with count_queries() as counter:
            assert client.get("/famille/finances/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_staff_pages_by_role(app, client, town):
    with app.app_context():
        f.user("agent1", AGENT)
        f.user("manager1", MANAGER)
        kid = town.alice_kids[0]
        b.invoice(town.alice, [(kid, town.canteen, "10.00")])
    f.login(client, "agent1")
    assert client.get("/gestion/comptes-familles/").status_code == 200
    account = client.get(f"/gestion/comptes-familles/{town.alice}")
    assert account.status_code == 200 and "Enregistrer un règlement" in account.get_data(
        as_text=True)
    for url in ("/gestion/impayes/", "/gestion/prelevements/", "/gestion/attestations-fiscales/"):
        assert client.get(url).status_code == 403, url
    client.get("/logout/")
    f.login(client, "manager1")
    for url in ("/gestion/comptes-familles/", "/gestion/impayes/", "/gestion/prelevements/",
                "/gestion/attestations-fiscales/"):
        assert client.get(url).status_code == 200, url
