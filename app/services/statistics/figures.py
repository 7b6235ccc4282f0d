"""The figures of the statistics page: for each, a table (the numbers, French headers,
typed for its CSV) and the SVG chart drawn from the same numbers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from ...models import PaymentMethod, RequestState
from ..exports.writers import Column, Kind
from ..money import euros
from . import charts
from . import queries as q


@dataclass
class Figure:
    key: str  # also the CSV's name: statistiques-<key>-<date>.csv
    title: str
    desc: str
    columns: list[Column]
    rows: list[tuple]
    chart: Markup


def _period_column(grain: str) -> Column:
    if grain == "month":
        return Column(_("Mois"), Kind.month)
    if grain == "week":
        return Column(_("Semaine du"), Kind.date)
    return Column(_("Jour"), Kind.date)


def _short(day: dt.date, grain: str) -> str:
    if grain == "month":
        return format_date(day, "MMM y")
    return f"{day:%d/%m}"


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def bookings_figure(filters: q.Filters, days, schools, services) -> Figure:
    per_row: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    per_bucket: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for (school, service, day), counts in days.items():
        first = q.bucket(day, filters.grain)
        for target in (per_row[(first, schools.get(school, "?"), services.get(service, "?"))],
                       per_bucket[first]):
            target[0] += counts.booked
            target[1] += counts.present
    periods = q.buckets(filters)
    title = _("Réservations et présences")
    desc = _("Barres groupées : réservations et présences pointées, par période, du "
             "%(start)s au %(end)s.", start=f"{filters.start:%d/%m/%Y}",
             end=f"{filters.end:%d/%m/%Y}")
    chart = charts.bars("reservations", title, desc,
                        [_short(p, filters.grain) for p in periods],
                        [(_("Réservations"), [per_bucket[p][0] for p in periods]),
                         (_("Présences"), [per_bucket[p][1] for p in periods])])
    rows = [(period, school, service, booked, present)
            for (period, school, service), (booked, present) in sorted(per_row.items())]
    columns = [_period_column(filters.grain), Column(_("École")), Column(_("Service")),
               Column(_("Réservations"), Kind.integer), Column(_("Présences"), Kind.integer)]
    return Figure("reservations", title, desc, columns, rows, chart)


def occupancy_figure(days, capacities, schools, services) -> Figure:
    per_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (school, service, _day), counts in days.items():
        if counts.booked:
            per_pair[(school, service)].append(counts.booked)
    rows = []
    for (school, service), counts in sorted(
            per_pair.items(), key=lambda i: (schools.get(i[0][0], ""), services.get(i[0][1], ""))):
        capacity = capacities.get((school, service))
        average = Decimal(sum(counts)) / len(counts)
        rows.append((schools.get(school, "?"), services.get(service, "?"), len(counts),
                     sum(counts), capacity,
                     _percent(sum(counts), capacity * len(counts)) if capacity else None,
                     _percent(max(counts), capacity) if capacity else None,
                     round(average)))
    title = _("Taux d'occupation")
    desc = _("Barres horizontales : réservations moyennes par jour servi, en pourcentage de "
             "la capacité, par école et service.")
    chart = charts.hbars("occupation", title, desc, [f"{r[0]} – {r[1]}" for r in rows],
                         [r[5] or 0 for r in rows], text=lambda v: f"{v:g} %",
                         top=max([100, *[r[5] or 0 for r in rows]]))
    columns = [Column(_("École")), Column(_("Service")),
               Column(_("Jours servis"), Kind.integer), Column(_("Réservations"), Kind.integer),
               Column(_("Capacité par jour"), Kind.integer),
               Column(_("Taux moyen (%)"), Kind.integer),
               Column(_("Jour le plus chargé (%)"), Kind.integer),
               Column(_("Moyenne par jour"), Kind.integer)]
    return Figure("occupation", title, desc, columns, rows, chart)


def absences_figure(filters: q.Filters, days) -> Figure:
    per_bucket: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_school, _service, day), counts in days.items():
        target = per_bucket[q.bucket(day, filters.grain)]
        target[0] += counts.booked
        target[1] += counts.no_show
        target[2] += counts.excused
    periods = q.buckets(filters)
    title = _("Absences non excusées (réservé, absent)")
    desc = _("Barres groupées : absences non excusées et absences excusées des enfants "
             "réservés, par période.")
    chart = charts.bars("absences", title, desc, [_short(p, filters.grain) for p in periods],
                        [(_("Absences non excusées"), [per_bucket[p][1] for p in periods]),
                         (_("Absences excusées"), [per_bucket[p][2] for p in periods])])
    rows = [(p, booked, no_show, _percent(no_show, booked), excused)
            for p in periods for booked, no_show, excused in [per_bucket[p]]]
    columns = [_period_column(filters.grain), Column(_("Réservations"), Kind.integer),
               Column(_("Absences non excusées"), Kind.integer),
               Column(_("Taux d'absence non excusée (%)"), Kind.integer),
               Column(_("Absences excusées"), Kind.integer)]
    return Figure("absences", title, desc, columns, rows, chart)


_DECISIONS = (RequestState.validated, RequestState.refused, RequestState.pending)


def cancellations_figure(filters: q.Filters, late) -> Figure:
    per_bucket: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, state), count in late.items():
        per_bucket[q.bucket(day, filters.grain)][state] += count
    periods = q.buckets(filters)
    labels = {s: str(RequestState.LABELS[s]) for s in _DECISIONS}
    title = _("Annulations tardives")
    desc = _("Barres groupées : demandes d'annulation faites après le délai, par jour "
             "réservé et par décision (acceptée, refusée, en attente).")
    chart = charts.bars("annulations", title, desc, [_short(p, filters.grain) for p in periods],
                        [(labels[s], [per_bucket[p][s] for p in periods]) for s in _DECISIONS])
    rows = [(p, *(per_bucket[p][s] for s in _DECISIONS), sum(per_bucket[p].values()))
            for p in periods]
    columns = [_period_column(filters.grain),
               *(Column(labels[s], Kind.integer) for s in _DECISIONS),
               Column(_("Total"), Kind.integer)]
    return Figure("annulations", title, desc, columns, rows, chart)


def revenue_figure(filters: q.Filters, revenue) -> Figure:
    months = q.buckets(q.Filters(filters.start, filters.end, "month"))
    rows = [(m, *revenue.get(m, q.Revenue()).totals()) for m in months]
    title = _("Recettes par mois facturé")
    desc = _("Barres groupées en euros : facturé, payé et reste dû des factures de chaque "
             "mois facturé.")
    chart = charts.bars("recettes", title, desc, [_short(m, "month") for m in months],
                        [(_("Facturé"), [r[1] for r in rows]), (_("Payé"), [r[3] for r in rows]),
                         (_("Reste dû"), [max(r[4], 0) for r in rows])],
                        text=lambda v: euros(v).replace(",00", ""))
    columns = [Column(_("Mois facturé"), Kind.month), Column(_("Facturé"), Kind.money),
               Column(_("Avoirs"), Kind.money), Column(_("Payé"), Kind.money),
               Column(_("Reste dû"), Kind.money)]
    return Figure("recettes", title, desc, columns, rows, chart)


def methods_figure(methods) -> Figure:
    rows = [(str(PaymentMethod.LABELS.get(m, m)), count, amount)
            for m, (count, amount) in sorted(methods.items(), key=lambda i: -i[1][1])]
    title = _("Modes de règlement")
    desc = _("Barres horizontales : montant reçu par mode de règlement sur la période.")
    chart = charts.hbars("modes", title, desc, [r[0] for r in rows], [r[2] for r in rows],
                         text=lambda v: euros(v))
    columns = [Column(_("Mode de règlement")), Column(_("Règlements"), Kind.integer),
               Column(_("Montant"), Kind.money)]
    return Figure("modes", title, desc, columns, rows, chart)


def all_figures(filters: q.Filters) -> list[Figure]:
    """Every figure of the page, in its order (six statements for the data, two for
    names and capacities)."""
    schools, services = q.names()
    days = q.booking_days(filters)
    return [
        bookings_figure(filters, days, schools, services),
        occupancy_figure(days, q.capacities(), schools, services),
        absences_figure(filters, days),
        cancellations_figure(filters, q.late_cancellations(filters)),
        revenue_figure(filters, q.revenue(filters)),
        methods_figure(q.payment_methods(filters)),
    ]
