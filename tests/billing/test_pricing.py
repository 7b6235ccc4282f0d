"""What a month costs a family: QF brackets, the QF valid on the day, no QF, absences,
presences without booking, a child of two families, and exact Decimal amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.extensions import db
from app.models import Attendance, BookingState, Invoice, TariffBracket
from app.services.billing.drafts import DraftInvoice, DraftLine
from app.services.billing.pricing import bracket_for, line_amount
from app.services.billing.run import bill_month
from app.services.reservations.day import absence_for_late_cancellation

from .builders import ISSUED, SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


def _lines(fam) -> list[tuple[str, int, Decimal, Decimal]]:
    invoice = db.session.query(Invoice).filter_by(family_id=fam.id).one()
    return sorted((line.label, line.quantity, line.unit_price, line.amount)
                  for line in invoice.lines)


def _invoice(fam) -> Invoice | None:
    return db.session.query(Invoice).filter_by(family_id=fam.id).one_or_none()


def _brackets() -> list[TariffBracket]:
    return [TariffBracket(qf_min=0, qf_max=600, unit_price=Decimal("3.20")),
            TariffBracket(qf_min=601, qf_max=1000, unit_price=Decimal("4.15")),
            TariffBracket(qf_min=1001, qf_max=None, unit_price=Decimal("5.10"))]


def test_bracket_bounds_are_inclusive_and_the_last_is_open_ended():
    brackets = _brackets()
    price = {qf: bracket_for(brackets, qf).unit_price for qf in (0, 600, 601, 1000, 1001, 9999)}
    assert price == {0: Decimal("3.20"), 600: Decimal("3.20"), 601: Decimal("4.15"),
                     1000: Decimal("4.15"), 1001: Decimal("5.10"), 9999: Decimal("5.10")}
    assert bracket_for(brackets, None).unit_price == Decimal("5.10")  # no QF: highest
    assert bracket_for(brackets[:2], 1500) is None  # a QF in no bracket: no price


def test_seventeen_meals_at_4_15_cost_exactly_70_55(app_ctx):
    t = town()
    fam = family("Lefort", t)
    set_qf(fam, 800)
    assert len(DAYS) == 17
    book(fam, fam.children[0], t.canteen, DAYS)
    bill_month(SEPTEMBER, ISSUED)
    db.session.expire_all()
    invoice = _invoice(fam)
    assert invoice.total == Decimal("70.55")
    assert str(invoice.total) == "70.55"
    [line] = invoice.lines
    assert (line.quantity, line.unit_price, line.amount) == (17, Decimal("4.15"),
                                                             Decimal("70.55"))
    assert line_amount(Decimal("4.15"), 17) == Decimal("70.55")


def test_sums_of_many_lines_are_exact():
    """0.1 added 1,000 times is 100.00, not 99.9999…: amounts are Decimal, summed in Python."""
    lines = [DraftLine(i, 1, False, Decimal("0.10"), [dt.date(2026, 9, 1)]) for i in range(1000)]
    lines += [DraftLine(i, 2, False, Decimal("4.15"), DAYS[:3]) for i in range(7)]
    assert DraftInvoice(1, lines).total == Decimal("100.00") + 7 * Decimal("12.45")
    assert sum(0.1 for _ in range(1000)) != 100.0  # what a float total would get wrong


def test_a_whole_family_month_adds_up_exactly(app_ctx):
    t = town()
    fam = family("Nombreux", t, children=3)
    set_qf(fam, 450)
    for kid in fam.children:
        book(fam, kid, t.canteen, DAYS)
        book(fam, kid, t.care, DAYS[:13])
    bill_month(SEPTEMBER, ISSUED)
    db.session.expire_all()
    invoice = _invoice(fam)
    assert len(invoice.lines) == 6
    assert invoice.total == sum((line.amount for line in invoice.lines), Decimal("0"))
    assert invoice.total == 3 * (17 * Decimal("3.20") + 13 * Decimal("1.10"))  # 206.10
    assert invoice.total == Decimal("206.10")


def test_the_qf_valid_on_the_day_applies_one_line_per_price(app_ctx):
    t = town()
    fam = family("Changement", t)
    # An old attestation until 14 September, a new (lower) one from the 15th.
    set_qf(fam, 1200, dt.date(2026, 1, 1), dt.date(2026, 9, 14))
    set_qf(fam, 550, dt.date(2026, 9, 15), dt.date(2027, 8, 31))
    book(fam, fam.children[0], t.canteen, DAYS)
    bill_month(SEPTEMBER, ISSUED)
    before = [d for d in DAYS if d.day < 15]
    after = [d for d in DAYS if d.day >= 15]
    child = f"{fam.children[0].first_name} {fam.children[0].last_name}"
    assert _lines(fam) == sorted([
        (f"{child} – Restaurant scolaire – du 01/09 au 14/09", len(before), Decimal("5.10"),
         len(before) * Decimal("5.10")),
        (f"{child} – Restaurant scolaire – du 15/09 au 29/09", len(after), Decimal("3.20"),
         len(after) * Decimal("3.20")),
    ])


def test_a_family_without_valid_qf_pays_the_highest_bracket(app_ctx):
    t = town()
    none = family("SansQF", t)
    expired = family("Perime", t)
    set_qf(expired, 300, dt.date(2025, 1, 1), dt.date(2026, 8, 31))  # ended before September
    for fam in (none, expired):
        book(fam, fam.children[0], t.canteen, DAYS[:10])
    bill_month(SEPTEMBER, ISSUED)
    for fam in (none, expired):
        assert _invoice(fam).total == Decimal("51.00")  # 10 × 5,10


def test_excused_absences_are_not_billed_unexcused_ones_are(app_ctx):
    t = town()
    fam = family("Absences", t)
    set_qf(fam, 800)
    kid = fam.children[0]
    book(fam, kid, t.canteen, DAYS[0:5], attendance=Attendance.present)
    book(fam, kid, t.canteen, DAYS[5:7], attendance=Attendance.absent_unexcused)
    book(fam, kid, t.canteen, DAYS[7:10], attendance=Attendance.absent_excused)
    book(fam, kid, t.canteen, DAYS[10:12])  # attendance not recorded: the booking counts
    bill_month(SEPTEMBER, ISSUED)
    [(label, quantity, price, amount)] = _lines(fam)
    assert (quantity, price, amount) == (9, Decimal("4.15"), Decimal("37.35"))
    assert "(dont 2 absences non excusées)" in label


def test_late_cancellation_is_billed_other_non_bookings_are_not(app_ctx):
    t = town()
    fam = family("Annule", t)
    set_qf(fam, 800)
    kid = fam.children[0]
    [late] = book(fam, kid, t.canteen, DAYS[0:1])
    absence_for_late_cancellation(late)  # accepted past the deadline: an unexcused absence
    db.session.commit()
    book(fam, kid, t.canteen, DAYS[1:2], state=BookingState.cancelled)  # in time: free
    book(fam, kid, t.canteen, DAYS[2:3], state=BookingState.pending)
    book(fam, kid, t.canteen, DAYS[3:4], state=BookingState.waiting)
    book(fam, kid, t.canteen, DAYS[4:5], state=BookingState.refused)
    book(fam, kid, t.canteen, DAYS[5:6], state=BookingState.cancellation)  # still booked
    bill_month(SEPTEMBER, ISSUED)
    [(label, quantity, price, _amount)] = _lines(fam)
    assert (quantity, price) == (2, Decimal("4.15"))
    assert "(dont 1 absence non excusée)" in label


def test_a_family_with_nothing_billed_gets_no_invoice(app_ctx):
    t = town()
    fam = family("Rien", t)
    book(fam, fam.children[0], t.canteen, DAYS[:3], state=BookingState.cancelled)
    book(fam, fam.children[0], t.care, DAYS[:3], attendance=Attendance.absent_excused)
    family("SansReservation", t)
    result = bill_month(SEPTEMBER, ISSUED)
    assert result.invoices == []
    assert db.session.query(Invoice).count() == 0


def test_presence_without_booking_is_billed_at_the_surcharge_price(app_ctx):
    t = town()
    fam = family("Surprise", t)
    set_qf(fam, 800)
    kid = fam.children[0]
    book(fam, kid, t.canteen, DAYS[:10])
    book(fam, kid, t.canteen, DAYS[10:12], attendance=Attendance.present, unbooked=True)
    # Flagged without booking but absent: nothing to bill.
    book(fam, kid, t.canteen, DAYS[12:13], unbooked=True)
    bill_month(SEPTEMBER, ISSUED)
    child = f"{kid.first_name} {kid.last_name}"
    assert _lines(fam) == sorted([
        (f"{child} – Restaurant scolaire", 10, Decimal("4.15"), Decimal("41.50")),
        (f"{child} – Restaurant scolaire – présence sans réservation", 2, Decimal("6.00"),
         Decimal("12.00")),
    ])
    assert _invoice(fam).total == Decimal("53.50")


def test_a_child_of_two_families_is_billed_to_each_for_the_days_it_booked(app_ctx):
    t = town()
    mother = family("Mere", t)
    father = family("Pere", t, children=0)
    kid = mother.children[0]
    father.children.append(kid)
    db.session.commit()
    set_qf(mother, 500)  # each account its own QF
    set_qf(father, 1500)
    book(mother, kid, t.canteen, [d for d in DAYS if d.isocalendar().week % 2 == 0])
    book(father, kid, t.canteen, [d for d in DAYS if d.isocalendar().week % 2 == 1])
    bill_month(SEPTEMBER, ISSUED)
    mother_days = sum(1 for d in DAYS if d.isocalendar().week % 2 == 0)
    father_days = len(DAYS) - mother_days
    assert [(q, p) for _l, q, p, _a in _lines(mother)] == [(mother_days, Decimal("3.20"))]
    assert [(q, p) for _l, q, p, _a in _lines(father)] == [(father_days, Decimal("5.10"))]
