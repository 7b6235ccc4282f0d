"""Background jobs with progress (app.models.Job): every long action of the back office
(billing run, imports, PDF and SEPA batches, large exports, reminders) runs as a job.

- `start_job(kind, params, key=…, user_id=…)` (core.py) records the job (committed) and
  hands it to a worker: the Celery task `portal.job` when REDIS_URL is set, else a thread
  of this process (dispatch.py). The same `key` twice gives the same job: a double click,
  a resent form or a retried request never starts the work twice.
- `record_job(kind, params, key=…)` adds the job to the caller's transaction instead (not
  committed: no job if that work rolls back); the caller dispatches it after its commit
  (`dispatch_job`). A job whose dispatch was lost (broker down, process killed) stays
  queued: the beat task `portal.dispatch_queued_jobs` (tasks.py, every 2 minutes) hands
  out again the jobs queued for more than 5 minutes (`dispatch_queued_jobs`; a job is
  claimed once, so a duplicate is skipped).
- The work itself is a handler registered for the kind (`register_handler`, in one place:
  `app.services.job_handlers`): `handler(run: JobRun) -> JobOutcome`. It reports with
  `run.progress(done, total)` (written beside its transaction, so the page sees it move)
  and returns the French result report. An exception fails the job with a French message.
- `retry_job(job_id)` queues a failed job again, same row and key: handlers are idempotent
  (what a first attempt committed is not done twice). A handler that commits its work in
  steps records what each step did with `run.checkpoint(**values)`, last inside that
  step's own transaction (committed or rolled back with the work); the next attempt reads
  it back in `run.saved` and goes on from there.
- A page that starts a job gives it a key from a one-time token of its form
  (app/views/staff/job_forms.py), checks the request first (the command's `validate()`:
  French errors at once, nothing written), and shows the job's progress bar
  (`?travail=<id>`, staff/_job_progress.html).
- The kinds (app.services.job_handlers): the billing run (billing/jobs.py), the families'
  import (family_import/jobs.py), the month's SEPA batch (payments/sepa_jobs.py), the
  missing documents' reminder (documents/jobs.py), the yearly file's reminder
  (dossier/jobs.py), the month's missing invoice PDFs (billing/pdf_jobs.py), the large
  exports (exports/jobs.py) and a billing run's invoice mails (billing/mail_jobs.py).
- `job_status(job)` (queries.py): the JSON the progress bar polls (with an estimated time).
"""

from .core import (
    JobOutcome,
    JobRun,
    dispatch_job,
    dispatch_queued_jobs,
    job_by_key,
    record_job,
    register_handler,
    retry_job,
    run_job,
    start_job,
    write_beside,
)
from .queries import job_status

__all__ = ["JobOutcome", "JobRun", "dispatch_job", "dispatch_queued_jobs", "job_by_key",
           "job_status", "record_job", "register_handler", "retry_job", "run_job",
           "start_job", "write_beside"]
