"""Attestation fiscale: care (not meals) paid in year N for children under 6 on 1 January N,
shared out of mixed invoices by the documented rule (CESU to care first, the rest in
proportion); the PDF; the family's download; the managers' batch through Celery."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import OutgoingMail, TaxCertificate
from app.security.roles import MANAGER
from app.services.calendar import local_today
from app.services.payments.tax_certificate import (
    certificate_figures,
    eligible_family_ids,
    under_six_cutoff,
)
from tests import factories as f

from . import builders as b

N = 2026
LAST_YEAR = local_today().year - 1  # the latest year a family may ask for


def _amounts(family_id: int, year: int) -> dict[str, tuple[Decimal, Decimal]]:
    figures = certificate_figures(family_id, year)
    return {c.name.split()[0]: (c.amount, c.cesu) for c in figures.children}


@pytest.fixture
def kids(app, town):
    """Alice's children: Young (born 2021, under 6 in N and N+1), Old (born 2019-05-01: 6 on
    1 January N, but under 6 on 1 January N−1)."""
    with app.app_context():
        young, old = town.alice_kids
        b.set_birth(young, dt.date(2021, 3, 1))
        b.set_birth(old, dt.date(2019, 5, 1))
        return {"young": young, "old": old, "young_name": b.child(young).first_name,
                "old_name": b.child(old).first_name}


def test_under_six_on_first_january():
    assert under_six_cutoff(N) == dt.date(2020, 1, 1)  # born that day: 6 on 1 January N


def test_care_paid_in_the_year_for_children_under_six(app_ctx, town, kids):
    young, old = kids["young"], kids["old"]
    care, canteen, alice = town.care, town.canteen, town.alice
    # A mixed invoice paid in full in N: care 20 (young) + 10 (old), meals 30.
    september = b.invoice(alice, [(young, care, "20.00"), (young, canteen, "30.00"),
                                  (old, care, "10.00")])
    b.pay(alice, september.id, "60.00", dt.date(N, 10, 5))
    # Meals only: never counted.
    meals = b.invoice(alice, [(young, canteen, "45.00")], period=dt.date(N, 10, 1))
    b.pay(alice, meals.id, "45.00", dt.date(N, 11, 5))
    # Half paid in N, half in N+1: care 10 + meals 10, by two cheques.
    november = b.invoice(alice, [(young, care, "10.00"), (young, canteen, "10.00")],
                         period=dt.date(N, 11, 1))
    b.pay(alice, november.id, "5.00", dt.date(N, 12, 20))
    b.pay(alice, november.id, "15.00", dt.date(N + 1, 1, 8))
    # December, paid in N+1: counts for N+1 only.
    december = b.invoice(alice, [(young, care, "15.00"), (young, canteen, "25.00")],
                         period=dt.date(N, 12, 1))
    b.pay(alice, december.id, "40.00", dt.date(N + 1, 1, 10))
    name = kids["young_name"]
    assert _amounts(alice, N) == {name: (Decimal("22.50"), Decimal("0.00"))}  # 20 + 2,50
    assert _amounts(alice, N + 1) == {name: (Decimal("22.50"), Decimal("0.00"))}  # 7,50 + 15
    assert certificate_figures(alice, N).total == Decimal("22.50")
    # The older child counts in N−1 (under 6 on 1 January N−1), for what was paid then.
    b.pay(alice, september.id, "6.00", dt.date(N - 1, 12, 30))
    assert _amounts(alice, N - 1) == {name: (Decimal("2.00"), Decimal("0.00")),
                                      kids["old_name"]: (Decimal("1.00"), Decimal("0.00"))}
    assert eligible_family_ids(N) == [alice] and eligible_family_ids(N + 2) == []


def test_cesu_go_to_care_first(app_ctx, town, kids):
    young, alice = kids["young"], town.alice
    invoice = b.invoice(alice, [(young, town.care, "12.00"), (young, town.canteen, "8.00")])
    b.pay(alice, invoice.id, "12.00", dt.date(N, 11, 2), method="cesu")
    b.pay(alice, invoice.id, "8.00", dt.date(N, 11, 3), method="cheque")  # the meals
    assert _amounts(alice, N) == {kids["young_name"]: (Decimal("12.00"), Decimal("12.00"))}


def test_another_familys_payments_never_count(app_ctx, town, kids):
    """A child of separated parents: each family's certificate has what it paid."""
    young = kids["young"]
    bob = b.family(town.bob)
    bob.children.append(b.child(young))
    db.session.commit()
    bobs = b.invoice(town.bob, [(young, town.care, "9.00")])
    b.pay(town.bob, bobs.id, "9.00", dt.date(N, 10, 1))
    assert _amounts(town.alice, N) == {}
    assert _amounts(town.bob, N) == {kids["young_name"]: (Decimal("9.00"), Decimal("0.00"))}


def _paid_last_year(town, kids) -> None:
    young = kids["young"]
    invoice = b.invoice(town.alice, [(young, town.care, "18.40"), (young, town.canteen, "20")],
                        period=dt.date(LAST_YEAR, 11, 1))
    b.pay(town.alice, invoice.id, "38.40", dt.date(LAST_YEAR, 12, 10))


def test_family_gets_and_downloads_its_certificate(app, client, town, kids):
    with app.app_context():
        _paid_last_year(town, kids)
    f.login(client, "alice")
    page = client.get("/famille/finances/").get_data(as_text=True)
    assert f"Obtenir l'attestation fiscale {LAST_YEAR}" in page
    response = client.post("/famille/finances/attestations/demander",
                           data={"year": str(LAST_YEAR)}, follow_redirects=True)
    assert "est prête" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.query(TaxCertificate).one()
        assert (row.family_id, row.year, row.total) == (town.alice, LAST_YEAR, Decimal("18.40"))
    download = client.get(f"/famille/finances/attestations/{row.id}/pdf")
    assert download.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(download.data)).pages[0].extract_text()
    assert f"Attestation fiscale – année {LAST_YEAR}" in text
    assert kids["young_name"] in text and "18,40" in text and kids["old_name"] not in text
    client.get("/logout/")
    f.login(client, "bob")
    assert client.get(f"/famille/finances/attestations/{row.id}/pdf").status_code == 404
    assert client.post("/famille/finances/attestations/demander",
                       data={"year": str(local_today().year)}).status_code == 400


def test_managers_batch_generates_and_mails_once(app, client, town, kids):
    with app.app_context():
        _paid_last_year(town, kids)
        f.user("manager1", MANAGER)
    f.login(client, "manager1")
    for _twice in range(2):
        response = client.post("/gestion/attestations-fiscales/generer",
                               data={"year": str(LAST_YEAR), "notify": "1"},
                               follow_redirects=True)
        assert "1 famille(s) concernée(s)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(TaxCertificate).count() == 1
        mails = db.session.query(OutgoingMail).filter_by(kind="tax_certificate").all()
        assert [m.recipient for m in mails] == ["alice@example.org"]
    listing = client.get(f"/gestion/attestations-fiscales/?year={LAST_YEAR}")
    assert "18,40" in listing.get_data(as_text=True)
