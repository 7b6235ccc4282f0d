"""The billing run's dry run (« Aperçu ») for the manager: what the month would invoice,
per school and service, and the anomalies that block the run or deserve a look first.
Nothing is written; the figures are those the run itself would compute (same drafts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import Child, Family, Invoice, QuotientFamilial, School, Service
from .drafts import DraftInvoice, grouped_drafts
from .fr import today
from .pricing import PriceBook
from .run import _CHUNK, _families_to_bill, check_month, month_end, month_start

BLOCK, WARN = "block", "warn"
SHOWN = 50  # anomalies listed per kind (the count says how many in all)


@dataclass
class Anomaly:
    level: str  # BLOCK: the run would stop; WARN: the invoice is issued, check it
    family_id: int
    family: str
    message: str


@dataclass
class PreviewRow:
    school: str
    service: str
    invoices: int = 0
    days: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class Preview:
    month: dt.date
    issued_on: dt.date
    invoices: int = 0
    total: Decimal = Decimal("0.00")
    already_invoiced: int = 0
    rows: list[PreviewRow] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)

    @property
    def blocking(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.level == BLOCK]

    @property
    def warnings(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.level == WARN]


def preview_month(month: dt.date | str, issued_on: dt.date | None = None) -> Preview:
    """The dry run of `month` (BillingError when the month is not over)."""
    month = month_start(month)
    issued_on = issued_on or today()
    check_month(month, issued_on)
    end = month_end(month)
    invoiced = set(db.session.scalars(
        select(Invoice.family_id).where(Invoice.period_start == month)).all())
    family_ids = _families_to_bill(month, end, invoiced)
    preview = Preview(month, issued_on, already_invoiced=len(invoiced))
    book = PriceBook(month, end)
    errors: dict[int, str] = {}
    drafts: list[DraftInvoice] = []
    for start in range(0, len(family_ids), _CHUNK):
        drafts += grouped_drafts(month, end, family_ids[start:start + _CHUNK], book, errors)
    drafts = [d for d in drafts if d.lines]
    preview.invoices = len(drafts)
    preview.total = sum((d.total for d in drafts), Decimal("0.00"))
    preview.rows = _rows(drafts)
    names = family_names(family_ids)
    preview.anomalies = (
        [Anomaly(BLOCK, fid, names.get(fid, ""), message) for fid, message in errors.items()]
        + warnings_for([d.family_id for d in drafts], end, names))
    preview.anomalies.sort(key=lambda a: (a.level != BLOCK, a.family, a.message))
    return preview


def _rows(drafts: list[DraftInvoice]) -> list[PreviewRow]:
    child_ids = sorted({line.child_id for d in drafts for line in d.lines})
    schools: dict[int, str] = {}
    for i in range(0, len(child_ids), _CHUNK):
        schools.update(db.session.execute(
            select(Child.id, School.name).join(School, School.id == Child.school_id)
            .where(Child.id.in_(child_ids[i:i + _CHUNK]))).all())
    services = dict(db.session.execute(select(Service.id, Service.name)).all())
    rows: dict[tuple[str, str], PreviewRow] = {}
    families: dict[tuple[str, str], set[int]] = defaultdict(set)
    for draft in drafts:
        for line in draft.lines:
            key = (schools.get(line.child_id, ""), services.get(line.service_id, ""))
            row = rows.setdefault(key, PreviewRow(*key))
            row.days += line.quantity
            row.amount += line.amount
            families[key].add(draft.family_id)
    for key, row in rows.items():
        row.invoices = len(families[key])
    return [rows[key] for key in sorted(rows)]


def family_names(family_ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for i in range(0, len(family_ids), _CHUNK):
        names.update(db.session.execute(select(Family.id, Family.name).where(
            Family.id.in_(family_ids[i:i + _CHUNK]))).all())
    return names


def warnings_for(family_ids: list[int], end: dt.date, names: dict[int, str]) -> list[Anomaly]:
    """Families without a billing address; families whose QF expired before the month's
    end (billed at the highest bracket from then on)."""
    found: list[Anomaly] = []
    for i in range(0, len(family_ids), _CHUNK):
        chunk = family_ids[i:i + _CHUNK]
        blank = or_(Family.address.is_(None), Family.address == "",
                    Family.city.is_(None), Family.city == "")
        for (family_id,) in db.session.execute(
                select(Family.id).where(Family.id.in_(chunk), blank)):
            found.append(Anomaly(WARN, family_id, names.get(family_id, ""),
                                 _("Pas d'adresse de facturation (adresse ou commune manquante).")))
        latest = db.session.execute(
            select(QuotientFamilial.family_id, func.max(QuotientFamilial.valid_to))
            .where(QuotientFamilial.family_id.in_(chunk))
            .group_by(QuotientFamilial.family_id)).all()
        for family_id, valid_to in latest:
            if valid_to < end:
                found.append(Anomaly(WARN, family_id, names.get(family_id, ""), _(
                    "Quotient familial expiré le %(day)s : tranche la plus haute ensuite.",
                    day=f"{valid_to:%d/%m/%Y}")))
    return found
