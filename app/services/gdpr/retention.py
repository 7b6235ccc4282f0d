"""The retention job: families inactive for 3 years are anonymised (CNIL: children's data
kept no longer than needed; invoices stay for the accounts).

Run daily by Celery beat (`portal.gdpr_retention`) or from cron with
`flask portal rgpd-retention`. A family with an unpaid invoice is left as is and reported:
the debt is the Trésor public's to recover.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from ...extensions import db
from ...models import Family
from ..calendar import local_today
from ..errors import CommandError
from .anonymise import AnonymiseFamily, last_activities

log = logging.getLogger(__name__)
RETENTION_YEARS = 3


@dataclass
class RetentionReport:
    anonymised: list[str] = field(default_factory=list)  # account codes
    kept: dict[str, list[str]] = field(default_factory=dict)  # account code → reasons


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def run_retention(today: dt.date | None = None, dry_run: bool = False) -> RetentionReport:
    """Anonymise every family whose last activity is more than RETENTION_YEARS old."""
    today = today or local_today()
    limit = _years_before(today, RETENTION_YEARS)
    idle_days = (today - limit).days
    families = db.session.execute(
        select(Family.id, Family.account_code).where(Family.anonymised_at.is_(None))).all()
    latest = last_activities(fid for fid, _code in families)
    report = RetentionReport()
    for family_id, code in families:
        last = latest.get(family_id)
        if last is None or last >= limit:
            continue
        command = AnonymiseFamily(family_id, None, idle_days=idle_days, today=today)
        try:
            command.validate() if dry_run else command.run()
        except CommandError as refused:
            report.kept[code] = refused.messages
            log.warning("Rétention : famille %s non anonymisée : %s", code,
                        " ".join(refused.messages))
            continue
        report.anonymised.append(code)
    db.session.commit()
    log.info("Rétention : %s famille(s) anonymisée(s), %s gardée(s) (impayés).",
             len(report.anonymised), len(report.kept))
    return report
