"""`flask portal standins`: serve the FranceConnect and API Particulier stand-ins for the
demo (`make run PORTAL_STANDINS=1` starts it beside the portal). Never in production."""

from __future__ import annotations

import time

import click

from . import StandInRefused, refuse_in_production

DEMO_CLIENT_ID = "portail-famille-demo"
DEMO_CLIENT_SECRET = "demo-secret-not-for-production"
DEMO_API_TOKEN = "demo-api-particulier-token"


@click.command("standins")
@click.option("--portal", default="http://127.0.0.1:5000", help="Adresse du portail.")
@click.option("--fc-port", default=5010, type=int)
@click.option("--api-port", default=5011, type=int)
def standins_command(portal: str, fc_port: int, api_port: int) -> None:
    """Serve the FranceConnect and API Particulier stand-ins until interrupted."""
    try:
        refuse_in_production()
    except StandInRefused as exc:
        raise click.ClickException(str(exc)) from exc
    from .serve import start_api_particulier, start_franceconnect

    portal = portal.rstrip("/")
    fc = start_franceconnect(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
                             {f"{portal}/franceconnect/retour"},
                             {f"{portal}/franceconnect/deconnexion"}, port=fc_port)
    api = start_api_particulier(DEMO_API_TOKEN, port=api_port)
    click.echo(f"FranceConnect (substitution) : {fc.url}/api/v2/.well-known/openid-configuration")
    click.echo(f"API Particulier (substitution) : {api.url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fc.stop()
        api.stop()
