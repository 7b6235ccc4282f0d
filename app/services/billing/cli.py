"""`flask portal billing run --month 2026-09`: the monthly billing run from cron or a shell."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from .run import BillingError, bill_month, progress_writer, start_run, summary

billing_cli = AppGroup("billing", help="Facturation mensuelle.")


@billing_cli.command("run")
@click.option("--month", required=True, help="Mois facturé, AAAA-MM (par exemple 2026-09).")
@click.option("--issued-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date d'émission (par défaut : aujourd'hui).")
@click.option("--sans-courriel", "no_mail", is_flag=True,
              help="N'envoyer aucun courriel (reprise de mois déjà annoncés aux familles).")
def run_command(month: str, issued_on: dt.datetime | None, no_mail: bool) -> None:
    """Facturer un mois : une facture par famille, tout ou rien (relancer ne double rien)."""
    day = issued_on.date() if issued_on else None
    try:
        run = start_run(month, day)
        writer = progress_writer(run.id)

        def progress(done: int, total: int) -> None:
            writer(done, total)
            click.echo(f"  {done}/{total} familles", err=True)

        result = bill_month(run.month, run.issued_on, run_id=run.id, progress=progress,
                            notify=not no_mail)
    except BillingError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:
        raise click.ClickException(
            f"Facturation annulée, aucune facture créée : {exc}") from exc
    # Without a broker (or with it down) the invoice mails' job runs in a thread of this
    # process, then hands the mails to another: both joined (up to 30 s each) before the
    # command exits; what is not sent stays pending in the outbox for the flush. With a
    # broker a worker does both and there is nothing to join.
    background = current_app.extensions["portal_background"]
    background.wait()
    background.wait()
    click.echo(summary(result))
