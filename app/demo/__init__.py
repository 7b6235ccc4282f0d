"""`flask portal demo`: the brochure's town, École Théodore Chalmel and École Sainte-Thérèse.

Built around today (kept inside the 2026-2027 school year): bookings from two months back
to the end of next week on open days, attendance for past days, invoices for the complete
months (billing engine), pending requests and alerts, documents to review and published
ones, a SEPA mandate and a 2025 attestation fiscale. Idempotent: a family already there
(by account code) is left alone, reference rows are found before being created.
`--families N` builds a large town for benchmarks (bulk inserts; extra schools beyond 60
families).

It prints one line per demo account, `role login password`, on standard output.
"""

from __future__ import annotations

import datetime as dt
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from ..extensions import db
from ..security.roles import AGENT, MANAGER, ensure_roles
from ..services.calendar import local_today
from .accounts import Account, ensure_staff, parent_account
from .billing import create_invoices
from .bookings import create_bookings
from .days import period_for
from .exchanges import add_exchanges
from .families import create_families
from .featured import PRINTED_PARENTS, all_families
from .features import after_billing, before_billing
from .managers import add_manager_features
from .menus import add_menus
from .people import extra_school_count
from .scenarios import tell_stories
from .state_services import state_services
from .town import add_news, build_reference
from .yearly import add_yearly


class _Steps:
    """Times each step of a large build on standard error (where a city's build goes)."""

    def __init__(self, verbose: bool):
        self.verbose, self.last = verbose, time.monotonic()

    def done(self, name: str) -> None:
        if self.verbose:
            now = time.monotonic()
            click.echo(f"  {name} : {now - self.last:.1f} s", err=True)
            self.last = now


def build_town(families: int, today: dt.date, full_year: bool = False,
               pending: int = 3) -> tuple[dict[str, int], list[Account]]:
    """Create what is missing of the demo town; returns what this run added and the
    accounts to print."""
    steps = _Steps(verbose=families >= 1000)
    town = build_reference(extra_school_count(families), today)
    period = period_for(today, town.year, full_year=full_year)
    staff, accounts = ensure_staff()
    agent_id = staff[AGENT].id
    add_news(town, period.anchor, agent_id)
    qf_years = range(2025, period.anchor.year + 1)
    specs = all_families(families, town.year.start_date.year, qf_years)
    built = create_families(specs, town)
    steps.done("familles")
    bookings = create_bookings(built, town, period, agent_id)
    steps.done("réservations")
    tell_stories(built, town, period, staff, pending)
    add_menus(town, period)
    before_billing(built, town, period)
    db.session.flush()
    steps.done("demandes et menus")
    invoices = create_invoices(built, town, period, agent_id, staff[MANAGER].id)
    steps.done("factures")
    after_billing(built, town, period, agent_id, staff[MANAGER].id)
    state_services(built, period)
    add_exchanges(built, town, period, staff)
    add_yearly(built, period)
    add_manager_features(town, staff[MANAGER].id)
    steps.done("paiements, échanges, dossiers")
    added = {"families": len(built),
             "children": len({c.id for item in built for c in item.children.values()}),
             "bookings": bookings, "invoices": invoices}
    return added, accounts + [parent_account(login) for login in PRINTED_PARENTS]


def _today() -> dt.date:
    """Today in Paris, or the day of PORTAL_FIXED_NOW when the app runs on a fixed clock."""
    return local_today()


def _large_sqlite_cache() -> None:
    """A big town is one large transaction: let SQLite keep it in memory instead of
    spilling pages to its journal (the setting lasts for this connection only)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))  # 256 MiB


@click.command("demo")
@with_appcontext
@click.option("--families", type=click.IntRange(min=4), default=30, show_default=True,
              help="Nombre de familles (une grande ville pour les mesures de performance).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True,
              help="Date du jour simulée (par défaut : aujourd'hui, ou PORTAL_FIXED_NOW).")
@click.option("--full-year", is_flag=True, hidden=True,
              help="Réservations sur toute l'année scolaire (mesures de performance).")
@click.option("--pending-requests", type=click.IntRange(min=0), default=3, hidden=True,
              help="Demandes hors délai en attente de traitement.")
def demo_command(families: int, today: dt.datetime | None, full_year: bool,
                 pending_requests: int) -> None:
    """Charge la ville de démonstration et affiche les comptes (rôle identifiant mot de passe)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("La démonstration ne se charge pas en production.")
    started = time.monotonic()
    ensure_roles()
    _large_sqlite_cache()
    added, accounts = build_town(families, today.date() if today else _today(),
                                 full_year, pending_requests)
    db.session.commit()
    click.echo(
        f"Ville de démonstration : {added['families']} familles, {added['children']} enfants, "
        f"{added['bookings']} réservations, {added['invoices']} factures ajoutées "
        f"en {time.monotonic() - started:.1f} s.", err=True)
    for account in accounts:
        click.echo(account.line())
