"""The reports as files: CSV for French Excel (UTF-8 BOM, `;`, decimal comma, jj/mm/aaaa)
and XLSX with typed cells (dates, numbers, euros) and the rules on a second sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _

from ..exports import safe_cell
from ..money import euros
from .caf import AGE_BANDS, CafReport, qf_band_label
from .caf import RULES as CAF_RULES
from .canteen import PERIOD_LABELS, CanteenClaim
from .canteen import RULES as CANTEEN_RULES

EURO_FORMAT = '#,##0.00 "€"'


def month_label(month: dt.date) -> str:
    return format_date(month, "MMMM yyyy")


def caf_table(report: CafReport) -> tuple[list[str], list[list]]:
    header = [_("Mois"), _("Enfant"), _("Date de naissance"), _("Tranche d'âge"),
              _("Tranche de QF"), _("Créneaux"), _("Heures")]
    rows = [[r.month, r.child, r.birth_date, str(AGE_BANDS[r.age_band]),
             qf_band_label(r.qf_band), r.slots, Decimal(r.minutes) / 60] for r in report.rows]
    return header, rows


def caf_totals_table(report: CafReport) -> tuple[list[str], list[list]]:
    header = [_("Mois"), _("Tranche d'âge"), _("Tranche de QF"), _("Enfants"), _("Créneaux"),
              _("Heures")]
    rows = [[m, str(AGE_BANDS[a]), qf_band_label(q), children, slots, Decimal(minutes) / 60]
            for m, a, q, children, slots, minutes in report.totals()]
    return header, rows


def claim_table(claim: CanteenClaim) -> tuple[list[str], list[list]]:
    header = [_("Mois"), _("Repas facturés 1 € ou moins"), _("Enfants"), _("Familles"),
              _("Montant facturé aux familles"), _("Aide de l'État")]
    rows = [[m.month, m.meals, len(m.children), len(m.families), m.billed,
             claim.aid_per_meal * m.meals] for m in claim.months]
    rows.append([_("Total %(period)s", period=PERIOD_LABELS[claim.start.month]), claim.meals,
                 claim.children, claim.families, sum((m.billed for m in claim.months),
                                                     Decimal(0)), claim.aid])
    return header, rows


def _csv_value(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):  # euros or hours: two decimals, decimal comma
        return euros(value, space="", sign="")
    if isinstance(value, int):
        return str(value)
    return safe_cell(str(value))


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: list[tuple[str, list[str], list[list], tuple[int, ...]]],
            rules) -> bytes:
    """`sheets`: (title, header, rows, euro columns); the rules on a last sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows, euro_columns in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, n in euro_columns) for n, v in enumerate(row)])
    rules_sheet = book.create_sheet(_("Règles"))
    for rule in rules:
        rules_sheet.append([str(rule)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, euro: bool):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return safe_cell(value)
    cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
    if isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    elif euro:
        cell.number_format = EURO_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = "0.00"
    return cell


def caf_files(report: CafReport) -> tuple[bytes, bytes]:
    """(CSV of the rows per child and month, XLSX of the totals, the rows and the rules)."""
    header, rows = caf_table(report)
    totals = caf_totals_table(report)
    xlsx = to_xlsx([(_("Totaux"), *totals, ()), (_("Par enfant"), header, rows, ())],
                   CAF_RULES)
    return to_csv(header, rows), xlsx


def claim_files(claim: CanteenClaim) -> tuple[bytes, bytes]:
    header, rows = claim_table(claim)
    euro_columns = (4, 5)
    prices = ([_("Prix unitaire"), _("Repas")],
              [[price, meals] for price, meals in claim.by_price.items()], (0,))
    xlsx = to_xlsx([(_("Demande ASP"), header, rows, euro_columns),
                    (_("Par prix"), *prices)], CANTEEN_RULES)
    return to_csv(header, rows), xlsx
