"""The import run as a background job (app.services.jobs): the page starts it and follows
its progress bar; the job's report says what was added. The import's own record
(FamilyImport: file, mapping, refused lines, guardians created) stays the import's."""

from __future__ import annotations

import json

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import FamilyImport, ImportState, Job
from ..errors import CommandError
from ..jobs import JobOutcome, JobRun, start_job, write_beside
from .commands import StartImport
from .run import execute_import

IMPORT_JOB = "family_import"


def job_key(import_id: int) -> str:
    return f"family-import:{import_id}"


def start_family_import(import_id: int, user_id: int | None) -> Job:
    """Queue a checked import (StartImport) and hand its job to a worker; the caller
    answers at once. Starting it twice gives the same job."""
    StartImport(import_id).run()
    return start_job(IMPORT_JOB, {"import_id": import_id}, key=job_key(import_id),
                     user_id=user_id)


def import_job_of(import_id: int) -> Job | None:
    return db.session.scalars(select(Job).where(Job.key == job_key(import_id))).first()


def family_import_job(job: JobRun) -> JobOutcome:
    import_id = int(job.params["import_id"])
    if job.attempt > 1:  # a retry: the failed import (nothing written) is queued again
        write_beside(FamilyImport, import_id, state=ImportState.queued, errors=None,
                     finished_at=None)

    def progress(done: int, total: int) -> None:
        job.progress(done, total)

    state = execute_import(import_id, progress=progress)
    record = db.session.get(FamilyImport, import_id, populate_existing=True)
    if state != ImportState.done.value:
        reasons = [reason for _line, reason in json.loads(record.errors or "[]")]
        raise CommandError(reasons or _("L'import n'a pas pu être fait."))
    counts = {k: v for k, v in json.loads(record.result or "{}").items()
              if isinstance(v, int)}
    with force_locale("fr"):
        summary = _("Import terminé : %(f)d foyers, %(g)d responsables, %(c)d enfants, "
                    "%(q)d quotients familiaux, %(e)d inscriptions, %(m)d mandats SEPA "
                    "ajoutés.", f=counts.get("families", 0), g=counts.get("guardians", 0),
                    c=counts.get("children", 0), q=counts.get("quotients", 0),
                    e=counts.get("enrolments", 0), m=counts.get("mandates", 0))
    return JobOutcome(summary, counts)
