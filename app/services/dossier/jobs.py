"""« Relancer les familles » of a yearly-file campaign as a background job
(app.services.jobs): the page checks the campaign at once and answers with the job; the job
alerts (and mails, through the outbox) the incomplete families by chunks, each chunk one
audited transaction that checkpoints the families it handled: a retry after a failure goes
on from there. Progress = families handled; the report = reminded, skipped (reminded less
than a day ago)."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _

from ...models import Job
from ..documents.jobs import reminder_outcome
from ..errors import transaction
from ..jobs import JobOutcome, JobRun, job_by_key, start_job
from .commands import RemindIncomplete

DOSSIER_REMINDER_JOB = "dossier_reminder"
CHUNK = 25


def start_dossier_reminder(campaign_id: int, user_id: int | None, username: str,
                           today: dt.date, key: str) -> Job:
    """Check the campaign now (CommandError, nothing written), then record the job and hand
    it to a worker. The same `key` gives the job already started."""
    key = f"dossier-reminder:{key}"
    existing = job_by_key(key)
    if existing is not None:
        return existing
    RemindIncomplete(campaign_id, user_id, username, today).validate()
    return start_job(DOSSIER_REMINDER_JOB, {"campaign_id": int(campaign_id),
                                            "username": username,
                                            "today": today.isoformat()},
                     key=key, user_id=user_id)


def dossier_reminder_job(run: JobRun) -> JobOutcome:
    command = RemindIncomplete(run.params["campaign_id"], run.user_id, run.params["username"],
                               dt.date.fromisoformat(run.params["today"]))
    command.validate()
    seen = command.incomplete()
    state = {"handled": [], "reminded": 0, **run.saved}
    handled = set(state["handled"])
    recent = command.recently_reminded()
    todo = [i for i in seen if i not in handled]
    skipped = [i for i in todo if i in recent]  # this attempt's (a retry counts them anew)
    todo = [i for i in todo if i not in recent]
    state.update(recent=len(skipped), skipped=[command.names[i] for i in skipped])
    total = len(handled) + len(skipped) + len(todo)
    run.progress(len(handled) + len(skipped), total)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        with transaction():
            command.remind_families(chunk, seen)
            state = {**state, "handled": state["handled"] + chunk,
                     "reminded": state["reminded"] + len(chunk)}
            run.checkpoint(**state)
        run.progress(len(state["handled"]) + len(skipped), total)
    return reminder_outcome(state, _skipped_line)


def _skipped_line(name: str) -> str:
    with force_locale("fr"):
        return _("%(name)s : pas relancée (déjà relancée depuis moins d'un jour).", name=name)
