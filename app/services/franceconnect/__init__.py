"""FranceConnect (OpenID Connect, Authlib): a guardian links their FranceConnect identity to
their account once, then logs in with it.

- `client`: the protocol (discovery, authorize URL, code → tokens, signed userinfo,
  end_session), plain Python: the view passes every URL, state and nonce in.
- `identity`: the pivot identity and its comparison with the guardian's record.
- `commands`: link, unlink, log in (BaseCommand: everything checked before any write).

Tokens are never logged nor stored in the database; the id_token stays in the signed
session cookie only until logout (end_session needs it).
"""

from .client import FranceConnectClient, FranceConnectError, Settings
from .identity import Identity

__all__ = ["FranceConnectClient", "FranceConnectError", "Identity", "Settings"]
