"""A small town for billing tests: one school, a canteen and an evening care service with
their 2026-2027 tariffs in QF brackets, and helpers to book days and set QFs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from app.extensions import db
from app.models import (
    Booking,
    BookingState,
    Family,
    QuotientFamilial,
    School,
    Service,
    ServiceKind,
    Tariff,
    TariffBracket,
)
from tests import factories as f

SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)
ISSUED = dt.date(2026, 10, 1)  # September is billed on the 1st of October (terme échu)

#: QF from, QF to, price, price without booking.
CANTEEN_BRACKETS = [(0, 600, "3.20", "5.00"), (601, 1000, "4.15", "6.00"),
                    (1001, None, "5.10", "7.00")]
CARE_BRACKETS = [(0, 600, "1.10", "2.50"), (601, None, "1.60", "3.00")]


def school_days(month: dt.date) -> list[dt.date]:
    """Mondays, Tuesdays, Thursdays and Fridays of the month (17 in September 2026)."""
    day, days = month, []
    while day.month == month.month:
        if day.weekday() in (0, 1, 3, 4):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass
class Town:
    school: School
    canteen: Service
    care: Service


def add_tariff(service: Service, brackets, label: str = "2026-2027") -> Tariff:
    tariff = Tariff(service=service, school_year=f.school_year(label), label=f"Tarif {label}")
    for qf_min, qf_max, price, unbooked in brackets:
        tariff.brackets.append(TariffBracket(qf_min=qf_min, qf_max=qf_max,
                                             unit_price=Decimal(price),
                                             unbooked_price=Decimal(unbooked)))
    db.session.add(tariff)
    db.session.commit()
    return tariff


def town(tariffs: bool = True, school: str = "École Théodore Chalmel") -> Town:
    """The school's services; a second town() needs another school name."""
    suffix = "" if school == "École Théodore Chalmel" else f"-{len(school)}-{school[-3:]}"
    school = f.school(school)
    canteen = f.service(f"cantine{suffix}", ServiceKind.canteen, schools=[school])
    canteen.name = "Restaurant scolaire"
    care = f.service(f"garderie-soir{suffix}", ServiceKind.care_evening, schools=[school])
    care.name = "Accueil périscolaire du soir"
    db.session.commit()
    if tariffs:
        add_tariff(canteen, CANTEEN_BRACKETS)
        add_tariff(care, CARE_BRACKETS)
    return Town(school, canteen, care)


def family(name: str, town_: Town, children: int = 1, username: str | None = None) -> Family:
    return f.family(name, town_.school, children=children, username=username, marker=name)


def set_qf(fam: Family, value: int, start: dt.date = dt.date(2026, 1, 1),
           end: dt.date = dt.date(2026, 12, 31)) -> QuotientFamilial:
    row = QuotientFamilial(family=fam, value=value, valid_from=start, valid_to=end,
                           source="Attestation CAF")
    db.session.add(row)
    db.session.commit()
    return row


def book(fam: Family, kid, service: Service, days, state: str = BookingState.booked,
         attendance: str | None = None, unbooked: bool = False) -> list[Booking]:
    rows = [Booking(family_id=fam.id, child_id=kid.id, service_id=service.id,
                    school_id=kid.school_id, day=day, state=state, attendance=attendance,
                    unbooked=int(unbooked)) for day in days]
    db.session.add_all(rows)
    db.session.commit()
    return rows
