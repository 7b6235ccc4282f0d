"""Statistiques: every figure checked against counts computed here, independently, from
the raw bookings, requests, invoices and payments; filters; CSV of each chart; SVG charts
with a title and a description; managers only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import Booking, CreditNote, Invoice, Payment, Request
from tests import factories as f

from .stats_data import stats_town

HELD = {"booked", "modification", "cancellation"}  # the states that take a seat
PERIOD = "du=2026-09-01&au=2026-11-30"


@pytest.fixture
def town(app):
    with app.app_context():
        return stats_town()


def _csv(client, key: str, query: str = PERIOD) -> list[list[str]]:
    response = client.get(f"/gestion/statistiques/csv/{key}?{query}")
    assert response.status_code == 200
    assert f"statistiques-{key}-2026-11-26.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))[1:]


def _money(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _bookings(app, school_id=None):
    with app.app_context():
        rows = db.session.query(Booking).all()
        return [(b.day, b.school.name, b.service.name, b.school_id, b.service_id, b.state,
                 b.attendance) for b in rows if school_id in (None, b.school_id)]


def test_bookings_and_attendance_per_month_school_and_service(app, client, town):
    expected = Counter()
    present = Counter()
    for day, school, service, _s, _v, state, attendance in _bookings(app):
        if state in HELD:
            key = (f"{day.month:02d}/{day.year}", school, service)
            expected[key] += 1
            present[key] += attendance == "present"
    f.login(client, "gestionnaire1")
    rows = _csv(client, "reservations", PERIOD + "&par=month")
    assert {(r[0], r[1], r[2]): (int(r[3]), int(r[4])) for r in rows} == {
        key: (count, present[key]) for key, count in expected.items()}
    page = client.get(f"/gestion/statistiques/?{PERIOD}").get_data(as_text=True)
    doc = lxml_html.document_fromstring(page)
    shown = [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
             for tr in doc.xpath("//table[@id='table-reservations']/tbody/tr")]
    assert shown == rows, "the table under the chart shows the CSV's numbers"


def test_weekly_grain_and_school_filter(app, client, town):
    expected = Counter()
    for day, _school, _service, _s, _v, state, _a in _bookings(app, town["north"]):
        if state in HELD:
            expected[day - dt.timedelta(days=day.weekday())] += 1
    f.login(client, "gestionnaire1")
    rows = _csv(client, "reservations", f"{PERIOD}&par=week&ecole={town['north']}")
    found = Counter()
    for r in rows:
        assert r[1] == "École Nord"
        found[dt.datetime.strptime(r[0], "%d/%m/%Y").date()] += int(r[3])
    assert found == expected


def test_occupancy_against_capacity(app, client, town):
    per_day = defaultdict(Counter)
    for day, school, service, _s, _v, state, _a in _bookings(app):
        if state in HELD:
            per_day[(school, service)][day] += 1
    capacity = {"cantine": 3, "garderie": 2}
    f.login(client, "gestionnaire1")
    rows = _csv(client, "occupation")
    assert len(rows) == len(per_day)
    with app.app_context():
        names = {s.name: s.code for s in db.session.query(type(db.session.query(Booking)
                                                                .first().service)).all()}
    for school, service, days, booked, cap, average, peak, _mean in rows:
        counts = per_day[(school, service)]
        cap_expected = capacity[names[service]]
        assert (int(days), int(booked), int(cap)) == (len(counts), sum(counts.values()),
                                                      cap_expected)
        assert int(average) == round(100 * sum(counts.values()) / (cap_expected * len(counts)))
        assert int(peak) == round(100 * max(counts.values()) / cap_expected)


def test_no_shows_are_booked_children_absent_without_excuse(app, client, town):
    booked, no_show, excused = Counter(), Counter(), Counter()
    for day, _school, _service, _s, _v, state, attendance in _bookings(app):
        if state in HELD:
            month = f"{day.month:02d}/{day.year}"
            booked[month] += 1
            no_show[month] += attendance == "absent_unexcused"
            excused[month] += attendance == "absent_excused"
    f.login(client, "gestionnaire1")
    rows = _csv(client, "absences")
    assert [(r[0], int(r[1]), int(r[2]), int(r[4])) for r in rows] == [
        (m, booked[m], no_show[m], excused[m]) for m in ("09/2026", "10/2026", "11/2026")]
    assert sum(no_show.values()) > 0


def test_late_cancellations_by_decision(app, client, town):
    with app.app_context():
        requests = [(r.booking_id, r.state) for r in db.session.query(Request).all()]
        days = dict(db.session.query(Booking.id, Booking.day).all())
    expected = Counter((f"{days[b].month:02d}/{days[b].year}", s) for b, s in requests)
    f.login(client, "gestionnaire1")
    rows = _csv(client, "annulations")
    for month, validated, refused, pending, total in rows:
        assert (int(validated), int(refused), int(pending)) == (
            expected[(month, "validated")], expected[(month, "refused")],
            expected[(month, "pending")])
        assert int(total) == int(validated) + int(refused) + int(pending)
    assert sum(int(r[4]) for r in rows) == len(requests) > 0


def test_revenue_invoiced_paid_and_unpaid_per_month(app, client, town):
    with app.app_context():
        invoices = {i.id: (i.period_start, i.total) for i in db.session.query(Invoice)}
        paid = [(p.invoice_id, p.amount) for p in db.session.query(Payment)]
        credited = [(c.invoice_id, c.amount) for c in db.session.query(CreditNote)]
    sums = defaultdict(lambda: [Decimal(0)] * 3)
    for month, amount in invoices.values():
        sums[month][0] += amount
    for slot, movements in ((1, credited), (2, paid)):
        for invoice_id, amount in movements:
            sums[invoices[invoice_id][0]][slot] += amount
    f.login(client, "gestionnaire1")
    rows = _csv(client, "recettes")
    expected = [[f"{m.month:02d}/{m.year}", _money(s[0]), _money(s[1]), _money(s[2]),
                 _money(s[0] - s[1] - s[2])]
                for m, s in sorted(sums.items())] + [["11/2026", "0,00", "0,00", "0,00",
                                                      "0,00"]]
    assert rows == expected


def test_payment_methods_of_the_period(app, client, town):
    with app.app_context():
        payments = [(p.method, p.amount, p.received_on) for p in db.session.query(Payment)]
    f.login(client, "gestionnaire1")
    rows = _csv(client, "modes", "du=2026-10-01&au=2026-10-31")
    expected = defaultdict(lambda: [0, Decimal(0)])
    for method, amount, day in payments:
        if dt.date(2026, 10, 1) <= day <= dt.date(2026, 10, 31):
            expected[method][0] += 1
            expected[method][1] += amount
    labels = {"cheque": "Chèque", "card": "Carte bancaire (PayFiP)", "cash": "Espèces",
              "transfer": "Virement"}
    assert {r[0]: (int(r[1]), r[2]) for r in rows} == {
        labels[m]: (n, _money(a)) for m, (n, a) in expected.items()}


def test_charts_are_svg_with_a_title_and_a_description(client, town):
    f.login(client, "gestionnaire1")
    doc = lxml_html.document_fromstring(
        client.get(f"/gestion/statistiques/?{PERIOD}").get_data(as_text=True))
    charts = doc.xpath("//svg")
    assert len(charts) == 6
    for chart in charts:
        assert chart.get("role") == "img"
        title, desc = chart.get("aria-labelledby").split()
        assert doc.get_element_by_id(title).text and doc.get_element_by_id(desc).text
    assert "google" not in lxml_html.tostring(doc).decode().lower()


def test_bad_filters_are_named_in_french_never_an_error_page(client, town):
    f.login(client, "gestionnaire1")
    response = client.get("/gestion/statistiques/?du=31/02/2026&ecole=999&par=an")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "la date « 31/02/2026 »" in page and "École inconnue" in page
    assert "Regroupement inconnu" in page
    assert client.get("/gestion/statistiques/csv/inconnu").status_code == 404


def test_statistics_are_for_managers_only(client, town):
    f.login(client, "agent1")
    assert client.get("/gestion/statistiques/").status_code in (302, 403)
    assert client.get("/gestion/statistiques/csv/reservations").status_code in (302, 403)
    page = client.get("/gestion/").get_data(as_text=True)
    assert "/gestion/statistiques/" not in page
