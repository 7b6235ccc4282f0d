"""API Particulier « quotient familial CAF & MSA »: consent, one family's reading, the
yearly batch. See client.py (the protocol), commands.py (consent and reading), batch.py."""

from .client import (
    Allocataire,
    ApiParticulierClient,
    ApiParticulierError,
    ApiSettings,
    QfResult,
)

__all__ = ["Allocataire", "ApiParticulierClient", "ApiParticulierError", "ApiSettings",
           "QfResult"]
