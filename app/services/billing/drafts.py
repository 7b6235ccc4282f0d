"""Invoice drafts: a family's billed days grouped into lines (child × service × price).

Several prices in one month for one child and service (a new QF mid-month, or presences
without booking at the surcharge price) give one line per price.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ...extensions import db
from ...models import Child, InvoiceLine, Service
from .pricing import BillableDay, PriceBook, PricingError, french, line_amount

_CHUNK = 500


@dataclass
class DraftLine:
    child_id: int
    service_id: int
    surcharge: bool
    unit_price: Decimal
    days: list[dt.date] = field(default_factory=list)
    unexcused: int = 0

    @property
    def quantity(self) -> int:
        return len(self.days)

    @property
    def amount(self) -> Decimal:
        return line_amount(self.unit_price, self.quantity)


@dataclass
class DraftInvoice:
    family_id: int
    lines: list[DraftLine]

    @property
    def total(self) -> Decimal:
        # Python's sum of Decimals: exact, whatever the number of lines.
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class FamilyPricingError(PricingError):
    def __init__(self, family_id: int, message: str):
        super().__init__(message)
        self.family_id = family_id


def draft_invoice(family_id: int, days: Iterable[BillableDay], book: PriceBook) -> DraftInvoice:
    lines: dict[tuple, DraftLine] = {}
    try:
        for item in days:
            price = book.price(item)
            key = (item.child_id, item.service_id, item.surcharge, price)
            line = lines.setdefault(key, DraftLine(item.child_id, item.service_id,
                                                   item.surcharge, price))
            line.days.append(item.day)
            line.unexcused += item.unexcused_absence
    except PricingError as exc:
        raise FamilyPricingError(family_id, str(exc)) from exc
    return DraftInvoice(family_id, list(lines.values()))


def draft_invoices(days: list[BillableDay], book: PriceBook) -> list[DraftInvoice]:
    """One draft per family with billed days (in order of family id)."""
    by_family: dict[int, list[BillableDay]] = defaultdict(list)
    for item in days:
        by_family[item.family_id].append(item)
    return [draft_invoice(family_id, by_family[family_id], book)
            for family_id in sorted(by_family)]


class LineLabels:
    """French labels of invoice lines; child and service names loaded in bulk."""

    def __init__(self, drafts: list[DraftInvoice]):
        child_ids = sorted({line.child_id for d in drafts for line in d.lines})
        self.children: dict[int, str] = {}
        for i in range(0, len(child_ids), _CHUNK):
            rows = db.session.execute(select(Child.id, Child.first_name, Child.last_name)
                                      .where(Child.id.in_(child_ids[i:i + _CHUNK])))
            self.children.update({cid: f"{first} {last}" for cid, first, last in rows})
        self.services = dict(db.session.execute(select(Service.id, Service.name)).all())

    def sort_key(self, line: DraftLine) -> tuple:
        return (self.children.get(line.child_id, ""), self.services.get(line.service_id, ""),
                line.surcharge, min(line.days))

    def label(self, line: DraftLine, several_prices: bool) -> str:
        return french(self._label, line, several_prices)

    def _label(self, line: DraftLine, several_prices: bool) -> str:
        text = f"{self.children.get(line.child_id, '')} – {self.services.get(line.service_id, '')}"
        if line.surcharge:
            text += " – " + _("présence sans réservation")
        if several_prices:
            first, last = min(line.days), max(line.days)
            text += " – " + _("du %(first)s au %(last)s", first=f"{first:%d/%m}",
                              last=f"{last:%d/%m}")
        if line.unexcused:
            text += " " + ngettext("(dont %(num)d absence non excusée)",
                                   "(dont %(num)d absences non excusées)", line.unexcused)
        return text

    def invoice_lines(self, draft: DraftInvoice) -> list[InvoiceLine]:
        ordered = sorted(draft.lines, key=self.sort_key)
        prices: dict[tuple, int] = defaultdict(int)
        for line in ordered:
            prices[(line.child_id, line.service_id, line.surcharge)] += 1
        return [
            InvoiceLine(
                child_id=line.child_id, service_id=line.service_id,
                label=self.label(line, prices[(line.child_id, line.service_id,
                                               line.surcharge)] > 1)[:255],
                quantity=line.quantity, unit_price=line.unit_price, amount=line.amount,
            )
            for line in ordered
        ]
