"""« Cantine à 1 € » (tarification sociale des cantines): the claim to the ASP, every four
months, for the meals billed at a price of 1 € or less. The State pays 3 € per such meal
(4 € when the canteen is registered on « ma cantine »: PORTAL_MA_CANTINE)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Invoice, InvoiceLine, InvoiceState, Service, ServiceKind
from ..money import to_money

CEILING = Decimal("1.00")  # a meal at this price or less is claimed
STATE_AID = Decimal("3.00")  # per meal claimed
MA_CANTINE_BONUS = Decimal("1.00")

#: The four-month periods of the claim: (first month, last month).
PERIODS = ((1, 4), (5, 8), (9, 12))
PERIOD_LABELS = {1: _l("janvier-avril"), 5: _l("mai-août"), 9: _l("septembre-décembre")}

RULES = (
    _l("Repas comptés : les lignes de factures du restaurant scolaire dont le prix unitaire "
       "est inférieur ou égal à 1 € (tranches de la tarification sociale), sur les factures "
       "émises du mois facturé ; une facture annulée entièrement par avoir ne compte pas."),
    _l("Période : le mois facturé (les factures sont à terme échu : les repas de septembre "
       "sont facturés début octobre et comptent en septembre)."),
    _l("Périodes de la demande à l'ASP : janvier-avril, mai-août, septembre-décembre."),
    _l("Aide de l'État : 3 € par repas facturé 1 € ou moins (4 € si la cantine est inscrite "
       "sur « ma cantine »)."),
)


def period_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The four-month period containing `day`: its first and last days."""
    first, last = next(p for p in PERIODS if p[0] <= day.month <= p[1])
    end = dt.date(day.year + (last == 12), 1 if last == 12 else last + 1, 1)
    return dt.date(day.year, first, 1), end - dt.timedelta(days=1)


def aid_per_meal() -> Decimal:
    bonus = MA_CANTINE_BONUS if current_app.config.get("PORTAL_MA_CANTINE") else Decimal(0)
    return STATE_AID + bonus


@dataclass
class MonthCount:
    month: dt.date
    meals: int = 0
    children: set[int] = field(default_factory=set)
    families: set[int] = field(default_factory=set)
    billed: Decimal = Decimal("0")  # what the families were billed for these meals


@dataclass
class CanteenClaim:
    start: dt.date
    end: dt.date
    aid_per_meal: Decimal
    months: list[MonthCount]
    by_price: dict[Decimal, int]  # unit price → meals

    @property
    def meals(self) -> int:
        return sum(m.meals for m in self.months)

    @property
    def children(self) -> int:
        return len(set().union(*(m.children for m in self.months)))

    @property
    def families(self) -> int:
        return len(set().union(*(m.families for m in self.months)))

    @property
    def aid(self) -> Decimal:
        return to_money(self.aid_per_meal * self.meals)


def canteen_claim(day: dt.date) -> CanteenClaim:
    """The claim of the four-month period containing `day` (one query)."""
    start, end = period_of(day)
    lines = db.session.execute(
        select(Invoice.period_start, Invoice.family_id, InvoiceLine.child_id,
               InvoiceLine.quantity, InvoiceLine.unit_price, InvoiceLine.amount)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Service, Service.id == InvoiceLine.service_id)
        .where(Invoice.period_start.between(start, end),
               Invoice.state != InvoiceState.cancelled,
               Service.kind == ServiceKind.canteen,
               InvoiceLine.unit_price <= CEILING, InvoiceLine.quantity > 0)).all()
    months = {m: MonthCount(m) for m in _months(start, end)}
    by_price: dict[Decimal, int] = defaultdict(int)
    for line in lines:
        count = months[line.period_start.replace(day=1)]
        count.meals += line.quantity
        count.children.add(line.child_id)
        count.families.add(line.family_id)
        count.billed += to_money(line.amount)
        by_price[to_money(line.unit_price)] += line.quantity
    return CanteenClaim(start, end, aid_per_meal(), list(months.values()),
                        dict(sorted(by_price.items())))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months
