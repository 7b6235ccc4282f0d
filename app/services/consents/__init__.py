"""Versioned consents: which version is in force, what a family still has to accept (the
booking block), a guardian's answer (a command), the staff's export.

- `rules`: versions in force and the family's missing required consents (Python, for the
  booking and dossier commands) and the same rule as one SQL expression (for the parent
  menu's counter, folded into its single statement).
- `commands`: `AnswerConsent` (accept or refuse one version, audited).
"""

from .commands import AnswerConsent
from .rules import (
    ConsentState,
    consent_states,
    missing_required,
    missing_required_count,
    versions_in_force,
)

__all__ = [
    "AnswerConsent",
    "ConsentState",
    "consent_states",
    "missing_required",
    "missing_required_count",
    "versions_in_force",
]
