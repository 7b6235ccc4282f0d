"""Local stand-ins for the State's services that cannot be reached from a laptop or CI:
a FranceConnect-like OpenID Connect provider and an API Particulier server.

They speak the documented protocols (same paths, parameters, tokens and error bodies), so
the portal talks to them exactly as to the real services; only the base URLs differ. They
are started by the test suite and by `make run` with PORTAL_STANDINS=1
(`flask portal standins`), and refuse to start when PORTAL_ENV=production.
"""

from __future__ import annotations

import os


class StandInRefused(RuntimeError):
    pass


def refuse_in_production(config_env: str | None = None) -> None:
    """Stand-ins issue identities and QFs to anyone: never next to real data."""
    env = (config_env or os.environ.get("PORTAL_ENV") or "development").strip().lower()
    if env == "production":
        raise StandInRefused(
            "Les services de substitution (FranceConnect, API Particulier) ne démarrent "
            "jamais en production."
        )
