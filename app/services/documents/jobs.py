"""« Relancer » every family of the « Documents manquants » list as a background job
(app.services.jobs): the page answers at once with the job; the job reminds the families
by chunks (each chunk one transaction; its mails go through the outbox after its commit),
its progress is the families handled, its report how many were reminded and how many were
skipped (reminded less than a day ago, or without an e-mail address).

Each chunk checkpoints, in its own transaction, the families it handled and its counts: a
retry after a failure goes on from there and never reminds a family twice."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _

from ...models import Job
from ...models.base import utcnow
from ..errors import transaction
from ..jobs import JobOutcome, JobRun, job_by_key, start_job
from .reminders import RemindMissingDocuments, recently_reminded

REMINDER_JOB = "documents_reminder"
CHUNK = 25


def start_documents_reminder(today: dt.date, user_id: int | None, portal_url: str,
                             key: str) -> Job:
    """Check now that some family is to be reminded (CommandError, nothing written), then
    record the job and hand it to a worker. The same `key` gives the job already started."""
    key = f"documents-reminder:{key}"
    existing = job_by_key(key)
    if existing is not None:
        return existing
    RemindMissingDocuments(None, today, user_id, portal_url).validate()
    return start_job(REMINDER_JOB, {"today": today.isoformat(), "portal_url": portal_url},
                     key=key, user_id=user_id)


def documents_reminder_job(run: JobRun) -> JobOutcome:
    command = RemindMissingDocuments(None, dt.date.fromisoformat(run.params["today"]),
                                     run.user_id, run.params.get("portal_url") or "")
    wanted = command.validate()
    state = {"handled": [], "reminded": 0, "mails": 0, "recent": 0, "skipped": [],
             **run.saved}
    handled = set(state["handled"])
    todo = [i for i in command.in_order(list(wanted)) if i not in handled]
    total = len(handled) + len(todo)
    recent = recently_reminded(todo, utcnow())
    run.progress(len(handled), total)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        with transaction():
            part = command.remind_families(chunk, wanted, recent)
            state = {"handled": state["handled"] + chunk,
                     "reminded": state["reminded"] + part.families,
                     "mails": state["mails"] + part.mails,
                     "recent": state["recent"] + part.recent,
                     "skipped": state["skipped"] + part.skipped}
            run.checkpoint(**state)
        run.progress(len(state["handled"]), total)
    return reminder_outcome(state)


def reminder_outcome(state: dict, skipped_line=None) -> JobOutcome:
    """The French report of a reminder job, from its counts (shared with the dossier's)."""
    skipped_line = skipped_line or _skipped_line
    skipped = len(state["skipped"])
    with force_locale("fr"):
        summary = _("%(reminded)d famille(s) relancée(s), %(skipped)d non relancée(s) dont "
                    "%(recent)d déjà relancée(s) depuis moins d'un jour.",
                    reminded=state["reminded"], skipped=skipped, recent=state["recent"])
    figures = {"reminded": state["reminded"], "skipped": skipped, "recent": state["recent"]}
    if "mails" in state:
        figures["mails"] = state["mails"]
    return JobOutcome(summary, figures,
                      errors=[skipped_line(name) for name in state["skipped"][:200]])


def _skipped_line(name: str) -> str:
    with force_locale("fr"):
        return _("%(name)s : pas relancée (déjà relancée depuis moins d'un jour, ou sans "
                 "adresse électronique).", name=name)
