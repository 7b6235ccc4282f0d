"""State reports checked against figures computed here, independently, from the raw
bookings, attendance and tariffs: the CAF's hours of presence and the « cantine à 1 € »
claim; their files read back (csv, openpyxl); manager-only pages with their rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingState,
    QuotientFamilial,
    Service,
    ServiceKind,
    TariffBracket,
)
from app.security.roles import AGENT, MANAGER
from app.services.billing.run import bill_month
from app.services.state_reports.caf import caf_hours
from app.services.state_reports.canteen import canteen_claim
from tests import factories as f
from tests.billing.builders import add_tariff, book, family, school_days, set_qf, town

SEPT, OCT, NOV = (dt.date(2026, m, 1) for m in (9, 10, 11))
P, EXC, UNEXC = Attendance.present, Attendance.absent_excused, Attendance.absent_unexcused


def _care_town():
    t = town(tariffs=False)
    t.care.slot_start, t.care.slot_end = dt.time(16, 30), dt.time(18, 45)  # 2 h 15
    morning = f.service("garderie-matin", ServiceKind.care_morning, schools=[t.school])
    morning.slot_start, morning.slot_end = dt.time(7, 30), dt.time(8, 35)  # 1 h 05
    db.session.commit()
    return t, morning


@pytest.fixture
def caf_world(app_ctx):
    t, morning = _care_town()
    ana, bob, cleo = (family(n, t) for n in ("Ana", "Bob", "Cleo"))
    ana.children[0].birth_date = dt.date(2020, 11, 10)  # turns 6 on 10 November
    bob.children[0].birth_date = dt.date(2018, 1, 1)
    cleo.children[0].birth_date = dt.date(2022, 5, 1)
    db.session.commit()
    set_qf(ana, 300, dt.date(2026, 1, 1), dt.date(2026, 10, 31))  # none from November
    set_qf(bob, 900)
    set_qf(bob, 1300, dt.date(2026, 11, 1), dt.date(2027, 6, 30))  # newer one overlaps
    for fam, service, attendance in [
        (ana, t.care, [P, P, EXC, None, UNEXC, P]),
        (ana, morning, [P, None, P]),
        (bob, t.care, [P, UNEXC, P, P]),
        (cleo, morning, [P, P, P, EXC]),
        (cleo, t.canteen, [P, P, P]),  # meals: not périscolaire
    ]:
        for month in (SEPT, OCT, NOV):
            days = school_days(month)
            book(fam, fam.children[0], service, days[:len(attendance)])
            for booking, mark in zip(
                    db.session.query(Booking).filter(
                        Booking.child_id == fam.children[0].id,
                        Booking.service_id == service.id,
                        Booking.day.between(month, month + dt.timedelta(days=27)))
                    .order_by(Booking.day), attendance, strict=False):
                booking.attendance = mark
    # A presence without booking counts (Ana is 6 by then).
    book(ana, ana.children[0], t.care, [dt.date(2026, 11, 19)], attendance=P, unbooked=True)
    db.session.commit()
    return t


def _expected_caf(start: dt.date, end: dt.date) -> dict[tuple, tuple[int, int]]:
    """(month, child id, age band, QF band) → (slots, minutes), from the raw rows."""
    bands = [(0, 450, "0-450"), (451, 800, "451-800"), (801, 1200, "801-1200"),
             (1201, 10**9, "1201-")]
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for b in db.session.query(Booking).filter(Booking.day.between(start, end)):
        service = db.session.get(Service, b.service_id)
        if not service.is_childcare or b.attendance != "present":
            continue
        minutes = (service.slot_end.hour * 60 + service.slot_end.minute
                   - service.slot_start.hour * 60 - service.slot_start.minute)
        birth = b.child.birth_date
        age = b.day.year - birth.year - ((b.day.month, b.day.day) < (birth.month, birth.day))
        valid = sorted((q.valid_from, q.value) for q in db.session.query(QuotientFamilial)
                       .filter_by(family_id=b.family_id) if q.valid_from <= b.day <= q.valid_to)
        qf = valid[-1][1] if valid else None
        band = "none" if qf is None else next(n for lo, hi, n in bands if lo <= qf <= hi)
        key = (b.day.replace(day=1), b.child_id, "under6" if age < 6 else "6plus", band)
        expected[key][0] += 1
        expected[key][1] += minutes
    return {k: tuple(v) for k, v in expected.items()}


def test_caf_hours_match_the_presences_counted_here(caf_world):
    report = caf_hours(SEPT, dt.date(2026, 11, 30))
    got = {(r.month, r.child_id, r.age_band, r.qf_band): (r.slots, r.minutes)
           for r in report.rows}
    expected = _expected_caf(SEPT, dt.date(2026, 11, 30))
    assert got == expected
    # What the rules promise, on a few figures: Ana in September: 3 evening slots
    # (2 h 15 each, whole) + 2 mornings (1 h 05): 9 h 05 = 545 minutes.
    sept_ana = [v for k, v in got.items() if k[0] == SEPT and k[3] == "0-450"]
    assert sept_ana == [(5, 3 * 135 + 2 * 65)]
    # November: Ana is 6 from the 10th, her QF has ended: two age bands, « QF non connu ».
    nov_bands = {(k[2], k[3]) for k in got if k[0] == NOV and k[3] == "none"}
    assert ("under6", "none") in nov_bands and ("6plus", "none") in nov_bands
    # Bob's newer QF (1300) wins over the older one (900) where both are valid.
    assert {k[3] for k in got if k[0] == NOV and k[2] == "6plus" and k[3] != "none"} == {
        "1201-"}
    totals = {(m, a, q): (c, s, mins) for m, a, q, c, s, mins in report.totals()}
    assert sum(s for _c, s, _m in totals.values()) == sum(v[0] for v in expected.values())


def test_caf_files_read_back(app, client, caf_world):
    f.user("gestionnaire", MANAGER)
    f.login(client, "gestionnaire")
    args = "du=2026-09-01&au=2026-11-30"
    response = client.get(f"/gestion/rapports-etat/caf.csv?{args}")
    assert response.status_code == 200
    assert 'filename="caf-heures-presence-2026-09-01-au-2026-11-30.csv"' in \
        response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Mois", "Enfant", "Date de naissance", "Tranche d'âge",
                       "Tranche de QF", "Créneaux", "Heures"]
    expected = _expected_caf(SEPT, dt.date(2026, 11, 30))
    assert len(rows) - 1 == len(expected)
    assert sum(int(r[5]) for r in rows[1:]) == sum(v[0] for v in expected.values())
    assert "01/09/2026" in {r[0] for r in rows[1:]}
    assert {"moins de 6 ans", "6 ans et plus"} <= {r[3] for r in rows[1:]}
    total_hours = sum(Decimal(r[6].replace(",", ".")) for r in rows[1:])
    assert abs(total_hours - Decimal(sum(v[1] for v in expected.values())) / 60) < \
        Decimal("0.01") * len(rows)
    book = load_workbook(io.BytesIO(client.get(
        f"/gestion/rapports-etat/caf.xlsx?{args}").data))
    assert book.sheetnames == ["Totaux", "Par enfant", "Règles"]
    totals = list(book["Totaux"].iter_rows(min_row=2, values_only=True))
    assert isinstance(totals[0][0], dt.datetime)  # a typed date
    assert sum(r[4] for r in totals) == sum(v[0] for v in expected.values())
    assert "compte en entier" in " ".join(str(r[0]) for r in book["Règles"].iter_rows(
        values_only=True))
    page = client.get(f"/gestion/rapports-etat/caf?{args}").get_data(as_text=True)
    assert "même en partie, compte en entier" in page
    assert "moins de 6 ans" in page


CANTEEN = [(0, 300, "0.80", "1.50"), (301, 1000, "1.00", "2.00"), (1001, None, "3.60", "5.00")]


@pytest.fixture
def canteen_world(app_ctx):
    t = town(tariffs=False)
    f.school_year()
    add_tariff(t.canteen, CANTEEN)
    low, mid, high, unknown = (family(n, t) for n in ("Low", "Mid", "High", "Unknown"))
    set_qf(low, 200)
    set_qf(mid, 800)
    set_qf(high, 1500)
    for month in (SEPT, OCT):
        days = school_days(month)
        for fam in (low, mid, high, unknown):
            kid = fam.children[0]
            book(fam, kid, t.canteen, days[:8])
            book(fam, kid, t.canteen, days[8:10], attendance=EXC)  # excused: not billed
            book(fam, kid, t.canteen, days[10:11], attendance=UNEXC)  # billed
            book(fam, kid, t.canteen, days[11:12], attendance=P, unbooked=True)  # surcharge
            book(fam, kid, t.canteen, days[12:13], state=BookingState.cancelled)
    bill_month(SEPT, dt.date(2026, 10, 1))
    bill_month(OCT, dt.date(2026, 11, 2))
    return t


def _expected_meals() -> dict[dt.date, int]:
    """Meals billed at 1 € or less per month, from the raw bookings and brackets."""
    brackets = db.session.query(TariffBracket).order_by(TariffBracket.qf_min).all()
    meals: dict[dt.date, int] = defaultdict(int)
    for b in db.session.query(Booking).join(Service).filter(Service.kind == "canteen"):
        billed = (b.unbooked and b.attendance == "present") or (
            not b.unbooked and b.state == "booked" and b.attendance != "absent_excused")
        if not billed:
            continue
        qfs = [q.value for q in db.session.query(QuotientFamilial).filter_by(
            family_id=b.family_id) if q.valid_from <= b.day <= q.valid_to]
        bracket = brackets[-1] if not qfs else next(
            r for r in brackets if r.qf_min <= qfs[0] and (r.qf_max is None or qfs[0] <= r.qf_max))
        price = bracket.unbooked_price if b.unbooked else bracket.unit_price
        if price <= Decimal("1.00"):
            meals[b.day.replace(day=1)] += 1
    return dict(meals)


def test_the_canteen_claim_counts_the_meals_billed_at_one_euro_or_less(canteen_world):
    expected = _expected_meals()
    assert expected == {SEPT: 18, OCT: 18}  # 9 billed meals at ≤ 1 € × 2 families
    claim = canteen_claim(dt.date(2026, 10, 15))
    assert (claim.start, claim.end) == (SEPT, dt.date(2026, 12, 31))
    assert {m.month: m.meals for m in claim.months if m.meals} == expected
    assert claim.meals == sum(expected.values())
    assert claim.aid == Decimal("3.00") * claim.meals
    assert (claim.children, claim.families) == (2, 2)
    assert claim.by_price == {Decimal("0.80"): 18, Decimal("1.00"): 18}
    assert canteen_claim(dt.date(2026, 4, 1)).meals == 0  # another four-month period


def test_the_claim_files_and_page(app, client, canteen_world):
    f.user("gestionnaire", MANAGER)
    f.login(client, "gestionnaire")
    page = client.get("/gestion/rapports-etat/cantine?periode=2026-09-01").get_data(
        as_text=True)
    assert "septembre-décembre 2026" in page and "36" in page
    assert "3 € par repas facturé 1 € ou moins" in page  # the rules, on the page
    response = client.get("/gestion/rapports-etat/cantine.csv?periode=2026-09-01")
    assert 'filename="cantine-1-euro-2026-septembre-decembre.csv"' in \
        response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == ["01/09/2026", "18"] and rows[2][:2] == ["01/10/2026", "18"]
    assert rows[-1][1] == "36" and rows[-1][5] == "108,00"
    book = load_workbook(io.BytesIO(client.get(
        "/gestion/rapports-etat/cantine.xlsx?periode=2026-09-01").data))
    sheet = book["Demande ASP"]
    last = [c for c in list(sheet.iter_rows(min_row=sheet.max_row))[0]]
    assert last[1].value == 36 and last[5].value == 108
    assert "€" in last[5].number_format
    assert client.get("/gestion/rapports-etat/cantine?periode=n'importe").status_code == 400


@pytest.mark.parametrize("path", ["/gestion/rapports-etat/caf", "/gestion/rapports-etat/cantine",
                                  "/gestion/rapports-etat/caf.csv"])
def test_agents_do_not_reach_the_state_reports(app, client, path):
    with app.app_context():
        f.user("agent", AGENT)
    f.login(client, "agent")
    assert client.get(path).status_code in (302, 403)
