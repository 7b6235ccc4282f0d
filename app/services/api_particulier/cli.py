"""`flask portal qf-batch`: refresh every consenting family's QF now (cron alternative to
Celery beat's yearly run)."""

from __future__ import annotations

import click

from ..errors import CommandError


@click.command("qf-batch")
def qf_batch_command() -> None:
    """Read the QF of every family who consented (API Particulier) and print the report."""
    from flask import current_app

    from ...extensions import db
    from ...models import QfBatch
    from .batch import execute_batch, start_batch
    from .client import ApiSettings

    if not ApiSettings.from_config(current_app.config).enabled:
        raise click.ClickException("API Particulier non configurée (API_PARTICULIER_TOKEN, "
                                   "PORTAL_TOWN_SIRET).")
    try:
        batch = start_batch(None)
    except CommandError as exc:
        raise click.ClickException(" ".join(exc.messages)) from exc
    execute_batch(batch.id)
    batch = db.session.get(QfBatch, batch.id)
    click.echo(f"Familles : {batch.total} ; trouvés : {batch.found} ; non trouvés : "
               f"{batch.not_found} ; erreurs : {batch.errors}")
