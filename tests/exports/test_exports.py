"""Exports of the back-office lists, read back as a manager's spreadsheet would: CSV with
the csv module (BOM, `;`, decimal comma, jj/mm/aaaa), XLSX with openpyxl (typed cells).
Each holds only the rows of the list's current filters; formulas never run."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from app.extensions import db
from app.models import Attendance, Guardian, Invoice, InvoiceLine, Payment, QuotientFamilial
from tests import factories as f

DAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", "2026-12-01T09:00:00")


@pytest.fixture
def town(app):
    with app.app_context():
        north, south = f.school("École Nord"), f.school("École Sud")
        canteen = f.service("cantine", schools=[north, south])
        martin = f.family("Martin", north, children=2)
        martin.address = "3 rue des Lilas"
        db.session.add_all([
            Guardian(family=martin, first_name="Anne", last_name="Martin",
                     relationship_label="mère", email="anne@example.org",
                     phone_mobile="0611223344"),
            Guardian(family=martin, first_name="Luc", last_name="Martin",
                     relationship_label="père", phone_mobile="0655667788"),
            Guardian(family=martin, first_name="Rose", last_name="Martin",
                     relationship_label="tutrice"),
        ])
        evil = f.family("=HYPERLINK(\"http://x\")", south, marker="Evil")
        evil.name = '=HYPERLINK("http://evil.example/")'
        kid = martin.children[0]
        kid.has_pai, kid.pai_details = True, "Trousse d'urgence"
        for day in (DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=7)):
            f.booking(martin, kid, canteen, day)
        other = f.booking(evil, evil.children[0], canteen, DAY)
        other.attendance = Attendance.absent_unexcused
        inv = Invoice(number="FAC-2026-000010", family=martin, period_start=dt.date(2026, 10, 1),
                      issued_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 30),
                      total=Decimal("1234.50"))
        inv.lines.append(InvoiceLine(child=kid, service=canteen, label="Repas", quantity=1,
                                     unit_price=Decimal("1234.50"), amount=Decimal("1234.50")))
        db.session.add(inv)
        db.session.add(Payment(family=martin, invoice=inv, amount=Decimal("34.50"),
                               method="cheque", received_on=dt.date(2026, 11, 10),
                               reference="=1+1"))
        db.session.add(QuotientFamilial(family=martin, value=830, valid_from=dt.date(2026, 1, 1),
                                        valid_to=dt.date(2026, 12, 31)))
        db.session.commit()
        f.user("gestionnaire1", "Gestionnaire")
        f.user("agent1", "Agent")
        return {"north": north.id, "south": south.id, "martin": martin.id}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return book.active


def test_family_export_has_address_phones_and_every_guardian(client, town):
    f.login(client, "gestionnaire1")
    response = client.get("/gestion/familles/xlsx?_flt_0_name=Martin")
    assert response.headers["Content-Disposition"].endswith("filename=familles-2026-12-01.xlsx")
    sheet = _xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 2, "only the filtered family"
    row = dict(zip(header, rows[1], strict=True))
    assert row["Nom du foyer"] == "Famille Martin"
    assert row["Adresse"] == "3 rue des Lilas"
    assert row["Responsable 1"] == "Martin Anne"
    assert row["Courriel (responsable 1)"] == "anne@example.org"
    assert row["Portable (responsable 2)"] == "0655667788"
    assert row["Autres responsables"] == "Martin Rose (tutrice)"
    csv_rows = _csv(client.get("/gestion/familles/csv?_flt_0_name=Martin"))
    assert [r[1] for r in csv_rows[1:]] == ["Famille Martin"]


def test_bookings_by_period_and_school_are_typed(client, town):
    f.login(client, "gestionnaire1")
    query = (f"_flt_0_school={town['north']}&_flt_1_day=2026-11-22"
             f"&_flt_2_day=2026-11-25")
    sheet = _xlsx(client.get(f"/gestion/reservations/xlsx?{query}"))
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [dt.datetime(2026, 11, 24), dt.datetime(2026, 11, 23)]
    assert rows[0][0].number_format == "dd/mm/yyyy"
    assert {r[4].value for r in rows} == {"École Nord"}
    csv_rows = _csv(client.get(f"/gestion/reservations/csv?{query}"))
    assert [r[0] for r in csv_rows[1:]] == ["24/11/2026", "23/11/2026"]
    assert csv_rows[1][8] == "Réservé"


def test_attendance_is_in_the_bookings_export(client, town):
    f.login(client, "gestionnaire1")
    rows = _csv(client.get(f"/gestion/reservations/csv?_flt_0_school={town['south']}"))
    assert rows[0][9] == "Présence"
    assert [r[9] for r in rows[1:]] == ["Absent non excusé"]


def test_invoice_amounts_are_numbers_with_a_euro_format(client, town):
    f.login(client, "gestionnaire1")
    sheet = _xlsx(client.get("/gestion/factures/xlsx"))
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Total"].value == 1234.5 and "€" in cells["Total"].number_format
    assert cells["Payé"].value == 34.5
    assert cells["Reste dû"].value == 1200
    assert cells["Mois facturé"].value == dt.datetime(2026, 10, 1)
    assert cells["Mois facturé"].number_format == "mm/yyyy"
    rows = _csv(client.get("/gestion/factures/csv"))
    total_at = rows[0].index("Total")
    assert rows[1][total_at] == "1234,50"
    assert rows[1][rows[0].index("Reste dû")] == "1200,00"


def test_children_export_has_class_diet_allergies_and_pai(client, town):
    f.login(client, "gestionnaire1")
    sheet = _xlsx(client.get(f"/gestion/enfants/xlsx?_flt_0_school={town['north']}"))
    rows = [dict(zip([c.value for c in sheet[1]], r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(r["Prénom"] for r in rows) == ["MartinEnfant0", "MartinEnfant1"]
    first = next(r for r in rows if r["Prénom"] == "MartinEnfant0")
    assert (first["Classe"], first["Régime"], first["Allergies"], first["PAI"],
            first["Détails du PAI"]) == ("CP", "Standard", "Allergie Martin", "Oui",
                                         "Trousse d'urgence")
    assert first["Date de naissance"] == dt.datetime(2019, 3, 1)
    assert first["Famille(s)"].startswith("Famille Martin (F")


def test_formula_looking_values_never_run(client, town):
    f.login(client, "gestionnaire1")
    rows = _csv(client.get("/gestion/familles/csv"))
    assert "'=HYPERLINK(\"http://evil.example/\")" in [r[1] for r in rows]
    sheet = _xlsx(client.get("/gestion/familles/xlsx"))
    names = [c for c in sheet["B"][1:]]
    evil = next(c for c in names if "HYPERLINK" in c.value)
    assert evil.data_type == "s" and evil.value.startswith("'=")
    payments = _xlsx(client.get("/gestion/reglements/xlsx"))
    header = [c.value for c in payments[1]]
    reference = payments.cell(row=2, column=header.index("Référence") + 1)
    assert reference.data_type == "s" and reference.value == "'=1+1"


def test_a_list_without_its_own_export_is_typed_too(client, town):
    f.login(client, "gestionnaire1")
    sheet = _xlsx(client.get("/gestion/quotients/xlsx"))
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Quotient familial"].value == 830
    assert row["Valable du"].value == dt.datetime(2026, 1, 1)


def test_too_many_rows_for_excel_is_said_never_cut(client, town, monkeypatch):
    from app.services.exports import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    f.login(client, "gestionnaire1")
    response = client.get("/gestion/reservations/xlsx", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "la limite d" in page and "exportez-la en CSV" in page
    assert len(_csv(client.get("/gestion/reservations/csv"))) == 1 + 4, "the CSV has all"


def test_agents_have_no_export(client, town):
    f.login(client, "agent1")
    page = client.get("/gestion/familles/list/").get_data(as_text=True)
    assert "Exporter en Excel" not in page
    assert client.get("/gestion/familles/xlsx").status_code == 403
    assert client.get("/gestion/reservations/xlsx").status_code == 403


def test_the_list_offers_both_exports_with_its_filters(client, town):
    f.login(client, "gestionnaire1")
    page = client.get("/gestion/familles/list/?_flt_0_name=Martin").get_data(as_text=True)
    assert 'href="/gestion/familles/xlsx?_flt_0_name=Martin"' in page
    assert 'href="/gestion/familles/csv?_flt_0_name=Martin"' in page


def test_unpaid_balances_export(client, town):
    f.login(client, "gestionnaire1")
    sheet = _xlsx(client.get("/gestion/impayes/xlsx"))
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    # Due 30/11, today 01/12: past due, 1 234,50 − 34,50 paid.
    assert [(r["Numéro"], r["Reste dû"], r["Courriel"]) for r in rows] == [
        ("FAC-2026-000010", 1200, "martin@example.org")]
    rows = _csv(client.get("/gestion/impayes/csv"))
    assert rows[1][rows[0].index("Reste dû")] == "1200,00"
    page = client.get("/gestion/impayes/").get_data(as_text=True)
    assert 'href="/gestion/impayes/xlsx"' in page
