"""GDPR (RGPD): a family's copy of its data, anonymisation by staff and by the retention
job. The processing register is docs/gdpr.md."""

from .anonymise import AnonymiseFamily, anonymisation_problems, last_activity
from .export import family_archive
from .retention import RETENTION_YEARS, run_retention

__all__ = ["RETENTION_YEARS", "AnonymiseFamily", "anonymisation_problems", "family_archive",
           "last_activity", "run_retention"]
