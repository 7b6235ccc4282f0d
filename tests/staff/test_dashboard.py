"""The back office home (tableau de bord), on the fixed clock of tests/staff (Thursday
26/11/2026 09:00 in Paris): the morning's questions answered with figures that link to
their filtered lists, by role, at a constant number of SQL statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import (
    Booking,
    Family,
    Invoice,
    InvoiceLine,
    Payment,
    Request,
    RequestKind,
    Service,
    ServiceCapacity,
)
from tests import factories as f

from .data import TODAY

UTC_NOW = dt.datetime(2026, 11, 26, 8, 0)  # 09:00 in Paris


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _grow(fam, kid, canteen, care, n: int):
    """n more of everything the page counts."""
    for i in range(n):
        db.session.add(Booking(family=fam, child=kid, service=canteen, school_id=kid.school_id,
                               day=TODAY - dt.timedelta(days=7 * (i + 1))))
        db.session.add(Request(family=fam, kind=RequestKind.booking, summary=f"Ancienne {i}",
                               created_at=UTC_NOW - dt.timedelta(days=10 + i)))
        inv = Invoice(number=f"FAC-2026-9{i:05d}", family=fam,
                      period_start=dt.date(2023 + i // 12, i % 12 + 1, 1),
                      issued_on=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 31),
                      total=Decimal("10.00"))
        inv.lines.append(InvoiceLine(child=kid, service=care, label="x", quantity=1,
                                     unit_price=Decimal("10.00"), amount=Decimal("10.00")))
        db.session.add(inv)
    db.session.commit()


@pytest.fixture
def town(app):
    with app.app_context():
        north, south = f.school("École Nord"), f.school("École Sud")
        canteen = f.service("cantine", capacity=4, schools=[north, south])
        care = f.service("garderie", kind="care_evening", capacity=10, schools=[north])
        fams = [f.family(f"Fam{i}", north if i < 3 else south) for i in range(4)]
        for fam in fams[:3]:
            f.booking(fam, fam.children[0], canteen, TODAY)
        f.booking(fams[3], fams[3].children[0], canteen, TODAY)
        f.booking(fams[0], fams[0].children[0], care, TODAY)
        f.booking(fams[0], fams[0].children[0], canteen, dt.date(2025, 11, 20))
        absent = f.booking(fams[1], fams[1].children[0], canteen, TODAY + dt.timedelta(days=1))
        ages = {"old": 9, "mid": 4, "young": 2, "new": 0}
        for summary, days in ages.items():
            db.session.add(Request(family=fams[0], kind=RequestKind.booking, summary=summary,
                                   created_at=UTC_NOW - dt.timedelta(days=days, hours=1)))
        db.session.add(Request(family=fams[1], kind=RequestKind.absence, booking=None,
                               booking_id=absent.id, summary="Absence déclarée",
                               created_at=UTC_NOW))
        inv = f.invoice(fams[0], fams[0].children[0], canteen)  # 70,55 € due 31/10
        db.session.add(Payment(family=fams[0], invoice=inv, amount=Decimal("20.55"),
                               method="cheque", received_on=dt.date(2026, 11, 2)))
        db.session.commit()
        f.user("gestionnaire1", "Gestionnaire")
        f.user("agent1", "Agent")
        return {"fam": fams[0].id, "kid": fams[0].children[0].id, "canteen": canteen.id,
                "care": care.id}


def _page(client, username):
    f.login(client, username)
    response = client.get("/gestion/")
    assert response.status_code == 200
    return lxml_html.document_fromstring(response.get_data(as_text=True))


def test_todays_children_per_school_and_service_against_capacity(client, town):
    doc = _page(client, "agent1")
    rows = [[_text(td) for td in tr.xpath("td")]
            for tr in doc.xpath("//section[@aria-labelledby='dash-today']//tbody/tr")]
    assert len(rows) == 3, "every service offered at each school"
    by_pair = {(r[0], r[1]): r[2:] for r in rows}
    names = {r[1] for r in rows}
    assert len(names) == 2
    canteen = next(n for n in names if any(r[1] == n and r[0] == "École Sud" for r in rows))
    assert by_pair[("École Nord", canteen)] == ["3", "4", "75 %"]
    assert by_pair[("École Sud", canteen)] == ["1", "4", "25 %"]
    care = (names - {canteen}).pop()
    assert by_pair[("École Nord", care)] == ["1", "10", "10 %"]
    link = doc.xpath(f"//td/a[normalize-space()='{canteen}']")[0].get("href")
    listed = client.get(link).get_data(as_text=True)
    assert listed.count("Famille Fam") == 3, "the filtered list: 3 children at École Nord"


def test_pending_requests_by_age_oldest_first(client, town):
    doc = _page(client, "agent1")
    bands = [(_text(tr.xpath("th")[0]), _text(tr.xpath("td")[0]))
             for tr in doc.xpath("//table[@id='dash-ages']/tbody/tr")]
    assert bands == [("Plus d'une semaine", "1"), ("3 à 7 jours", "1"), ("1 à 2 jours", "1"),
                     ("Moins d'un jour", "2")]
    oldest = [_text(li) for li in doc.xpath("//ol[@id='dash-oldest']/li")]
    assert oldest[0].endswith("Famille Fam0 : old") and oldest[1].endswith(": mid")
    figures = [_text(fig) for fig in doc.xpath("//div[@class='portal-figure']")]
    assert any(t.startswith("5 demandes en attente") for t in figures)
    assert any(t.startswith("1 absence déclarée à traiter") for t in figures)


def test_absences_link_to_the_pending_absence_requests(client, town):
    doc = _page(client, "agent1")
    link = doc.xpath("//a[normalize-space()='Voir les absences déclarées']")[0].get("href")
    listed = client.get(link).get_data(as_text=True)
    assert "Absence déclarée" in listed and "Famille Fam0" not in listed


def test_managers_see_unpaid_past_due_and_the_month_against_last_year(client, town):
    doc = _page(client, "gestionnaire1")
    figures = {_text(fig) for fig in doc.xpath("//div[@class='portal-figure']")}
    unpaid = next(t for t in figures if "impayé échu" in t)
    assert unpaid.startswith("50,00 € impayé échu (1 facture)")  # 70,55 − 20,55
    month = _text(doc.xpath("//div[@id='dash-month']")[0])
    # November 2026: 5 bookings today and 1 tomorrow; November 2025: 1.
    assert month.startswith("6 réservations en novembre 2026")
    assert "1 en novembre 2025 (+500 %)" in month
    link = doc.xpath("//div[@id='dash-month']//a")[0].get("href")
    assert client.get(link).get_data(as_text=True).count("Famille Fam") == 6
    assert doc.xpath("//a[normalize-space()='Statistiques détaillées']")


def test_agents_see_neither_finances_nor_statistics(client, town):
    doc = _page(client, "agent1")
    assert not doc.xpath("//section[@aria-labelledby='dash-manager']")


def test_the_page_costs_the_same_statements_whatever_the_data(app, client, town,
                                                              count_queries):
    f.login(client, "gestionnaire1")
    client.get("/gestion/")
    with count_queries() as small:
        assert client.get("/gestion/").status_code == 200
    with app.app_context():
        fam = db.session.get(Family, town["fam"])
        kid = fam.children[0]
        _grow(fam, kid, db.session.get(Service, town["canteen"]),
              db.session.get(Service, town["care"]), 30)
        db.session.add(ServiceCapacity(service_id=town["care"], school_id=kid.school_id + 1,
                                       capacity=5))
        db.session.commit()
    with count_queries() as large:
        assert client.get("/gestion/").status_code == 200
    assert large.count == small.count, (small.statements, large.statements)
