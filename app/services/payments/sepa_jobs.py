"""The month's SEPA batch as a background job (app.services.jobs): the manager's page checks
the request at once (`CreateSepaBatch.validate()`: French errors, nothing written), then
the job records the batch (`run()`, one transaction) and reports the number of debits, the
total and the batch. The batch id is checkpointed in the batch's own transaction: a retry
after a failure reports that batch and never records a second one."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _

from ...extensions import db
from ...models import Job, SepaBatch
from ..jobs import JobOutcome, JobRun, job_by_key, start_job
from ..money import euros
from .sepa import CreateSepaBatch

SEPA_JOB = "sepa_batch"


def start_sepa_batch(month: dt.date, collection_date: dt.date, user_id: int | None,
                     key: str) -> Job:
    """Check the batch now (raises SepaError, nothing written), record its job and hand it
    to a worker; the caller answers at once. The same `key` (a resent form, a double
    click) gives the job already started, unchecked."""
    key = f"sepa-batch:{key}"
    existing = job_by_key(key)
    if existing is not None:
        return existing
    CreateSepaBatch(month, collection_date, user_id=user_id).validate()
    return start_job(SEPA_JOB, {"month": month.replace(day=1).isoformat(),
                                "collection_date": collection_date.isoformat()},
                     key=key, user_id=user_id)


def sepa_batch_job(run: JobRun) -> JobOutcome:
    batch_id = run.saved.get("batch_id")
    if batch_id is None:  # not recorded by an earlier attempt
        run.progress(0, 1)
        command = CreateSepaBatch(
            dt.date.fromisoformat(run.params["month"]),
            dt.date.fromisoformat(run.params["collection_date"]), user_id=run.user_id,
            recorded=lambda batch: run.checkpoint(batch_id=batch.id))
        batch_id = command.run().id
    batch = db.session.get(SepaBatch, batch_id)
    run.progress(batch.count, batch.count)
    with force_locale("fr"):
        summary = _("Fichier de prélèvement créé : %(count)d prélèvement(s), total %(total)s, "
                    "prélevés le %(day)s.", count=batch.count, total=euros(batch.total),
                    day=batch.collection_date.strftime("%d/%m/%Y"))
    return JobOutcome(summary, {"batch_id": batch.id, "count": batch.count,
                                "total": str(batch.total)})
