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
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ...extensions import db
from ...models import Child, InvoiceLine, Service
from .pricing import (
    BillableDay,
    PriceBook,
    PricingError,
    billable_days,
    billed_groups,
    french,
    line_amount,
)

_CHUNK = 500


@dataclass
class DraftLine:
    child_id: int
    service_id: int
    surcharge: bool
    unit_price: Decimal
    days: list[dt.date] = field(default_factory=list)
    unexcused: int = 0
    #: A line grouped in SQL knows its number of days and first and last day, not each day.
    count: int | None = None
    span: tuple[dt.date, dt.date] | None = None

    @property
    def quantity(self) -> int:
        return self.count if self.count is not None else len(self.days)

    @property
    def first(self) -> dt.date:
        return self.span[0] if self.span else min(self.days)

    @property
    def last(self) -> dt.date:
        return self.span[1] if self.span else max(self.days)

    @cached_property
    def amount(self) -> Decimal:  # read once the line is complete
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


def grouped_drafts(start: dt.date, end: dt.date, family_ids: list[int], book: PriceBook,
                   errors: dict[int, str] | None = None) -> list[DraftInvoice]:
    """Drafts of `family_ids` (in order of family id), set-based: the billed days come
    grouped by (family, child, service, surcharge) from SQL and each group is priced once.
    Only a family whose QF changes within the period (or a period across two school years)
    is drafted day by day. With `errors` (a dry run), a family without a price is noted
    there (family id → French reason) and left out instead of stopping everything."""
    year = book.month_year()
    by_family: dict[int, list[tuple]] = defaultdict(list)
    for group in billed_groups(start, end, family_ids):
        by_family[group[0]].append(group)
    drafts: dict[int, DraftInvoice] = {}
    day_by_day = []
    for family_id, groups in by_family.items():
        steady, qf = book.steady_qf(family_id)
        if not steady or year is None:
            day_by_day.append(family_id)
            continue
        try:
            lines = [DraftLine(child_id, service_id, surcharge,
                               book.unit_price(service_id, year, qf, surcharge),
                               unexcused=unexcused, count=count, span=(first, last))
                     for _f, child_id, service_id, surcharge, count, first, last, unexcused
                     in groups]
        except PricingError as exc:
            if errors is None:
                raise FamilyPricingError(family_id, str(exc)) from exc
            errors[family_id] = str(exc)
            continue
        drafts[family_id] = DraftInvoice(family_id, lines)
    if day_by_day:
        days: dict[int, list[BillableDay]] = defaultdict(list)
        for item in billable_days(start, end, day_by_day):
            days[item.family_id].append(item)
        for family_id in sorted(days):
            try:
                drafts[family_id] = draft_invoice(family_id, days[family_id], book)
            except FamilyPricingError as exc:
                if errors is None:
                    raise
                errors[family_id] = str(exc)
    return [drafts[family_id] for family_id in sorted(drafts)]


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
                line.surcharge, line.first)

    def label(self, line: DraftLine, several_prices: bool) -> str:
        return french(self._label, line, several_prices)

    def _label(self, line: DraftLine, several_prices: bool) -> str:
        text = f"{self.children.get(line.child_id, '')} – {self.services.get(line.service_id, '')}"
        if line.surcharge:
            text += " – " + _("présence sans réservation")
        if several_prices:
            first, last = line.first, line.last
            text += " – " + _("du %(first)s au %(last)s", first=f"{first:%d/%m}",
                              last=f"{last:%d/%m}")
        if line.unexcused:
            text += " " + ngettext("(dont %(num)d absence non excusée)",
                                   "(dont %(num)d absences non excusées)", line.unexcused)
        return text

    def invoice_lines(self, draft: DraftInvoice) -> list[InvoiceLine]:
        return [InvoiceLine(**values) for values in self.line_values(draft)]

    def line_values(self, draft: DraftInvoice) -> list[dict]:
        """The invoice's lines as column values, in the invoice's order."""
        return french(self._line_values, draft)

    def all_line_values(self, drafts: list[DraftInvoice]) -> list[list[dict]]:
        """`line_values` of many invoices (French set once for them all)."""
        return french(lambda: [self._line_values(draft) for draft in drafts])

    def _line_values(self, draft: DraftInvoice) -> list[dict]:
        ordered = sorted(draft.lines, key=self.sort_key)
        prices: dict[tuple, int] = defaultdict(int)
        for line in ordered:
            prices[(line.child_id, line.service_id, line.surcharge)] += 1
        return [
            {"child_id": line.child_id, "service_id": line.service_id,
             "label": self._label(line, prices[(line.child_id, line.service_id,
                                               line.surcharge)] > 1)[:255],
             "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount}
            for line in ordered
        ]
