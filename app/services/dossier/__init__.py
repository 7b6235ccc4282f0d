"""The yearly family file (« dossier unique »).

- `rules`: what a family's file still lacks for a campaign (one list: sections to
  re-certify, documents of the year, consents in force), whether enrolment for the year
  is open to it, and the completion per school for staff — each in a fixed number of
  statements.
- `commands`: a guardian certifies a section; staff remind every incomplete family in one
  action (an alert and a mail through the outbox for each).
"""

from .commands import CertifySection, RemindIncomplete
from .rules import (
    DossierStatus,
    MissingItem,
    campaign_for_year,
    check_dossier_for_enrolment,
    completion_by_school,
    family_status,
    open_campaigns,
)

__all__ = [
    "CertifySection",
    "DossierStatus",
    "MissingItem",
    "RemindIncomplete",
    "campaign_for_year",
    "check_dossier_for_enrolment",
    "completion_by_school",
    "family_status",
    "open_campaigns",
]
