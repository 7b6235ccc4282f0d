"""Recording, claiming, progressing and finishing a job (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Job, JobState
from ...models.base import utcnow
from ..errors import CommandError
from .dispatch import dispatch

log = logging.getLogger(__name__)

#: A job left "running" longer than this (its worker died) may be taken again.
STALE_AFTER = dt.timedelta(hours=1)
#: A job still "queued" this long after it was recorded lost its dispatch (broker down at
#: that moment, process killed before it): `dispatch_queued_jobs` hands it out again.
LOST_AFTER = dt.timedelta(minutes=5)


@dataclass
class JobOutcome:
    """What a handler returns: the French report, figures for the page, warnings."""

    summary: str
    result: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


Handler = Callable[["JobRun"], JobOutcome]
_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def write_beside(model, row_id: int, **values) -> None:
    """Update one row in its own short transaction: visible at once to the pages that
    poll it, whatever becomes of the caller's transaction."""
    with Session(db.engine) as session:
        session.execute(update(model).where(model.id == row_id).values(**values)
                        .execution_options(synchronize_session=False))
        session.commit()


@dataclass
class JobRun:
    """The job as its handler sees it."""

    id: int
    kind: str
    params: dict
    user_id: int | None
    attempt: int
    saved: dict = field(default_factory=dict)  # what earlier attempts checkpointed

    def progress(self, done: int, total: int | None = None) -> None:
        values = {"done": done} if total is None else {"done": done, "total": total}
        write_beside(Job, self.id, **values)

    def checkpoint(self, **values) -> None:
        """Record in the handler's own transaction (committed with the work, rolled back
        with it) what is done, so a retry knows it (`saved`) and never does it twice.
        Call it last before the commit: it locks the job's row until then."""
        self.saved = {**self.saved, **values}
        db.session.execute(update(Job).where(Job.id == self.id).values(result=self.saved)
                           .execution_options(synchronize_session=False))


def start_job(kind: str, params: dict | None = None, *, key: str | None = None,
              user_id: int | None = None, dispatch: bool = True) -> Job:
    """Record a job (committed) and hand it to a worker. With a `key` already used, the
    existing job is returned and nothing new starts."""
    if kind not in _HANDLERS:
        raise CommandError(_("Travail inconnu : %(kind)s.", kind=kind))
    existing = job_by_key(key) if key else None
    if existing is not None:
        return existing
    job = Job(kind=kind, key=key or "", params=params or {}, state=JobState.queued,
              started_by_id=user_id)
    db.session.add(job)
    try:
        db.session.flush()
        if not key:
            job.key = f"{kind}:{job.id}"
        db.session.commit()
    except IntegrityError:  # the same key, started at the same moment elsewhere
        db.session.rollback()
        return job_by_key(key)
    if dispatch:
        dispatch_job(job.id)
    return job


def record_job(kind: str, params: dict | None = None, *, key: str,
               user_id: int | None = None) -> Job:
    """Add a job to the caller's transaction, NOT committed: it exists if and only if the
    caller's work is committed (the billing run's invoice mails). The caller hands it to a
    worker after its commit (`dispatch_job`); one left queued is dispatched again by
    `dispatch_queued_jobs`. The same `key` twice gives the same job."""
    if kind not in _HANDLERS:
        raise CommandError(_("Travail inconnu : %(kind)s.", kind=kind))
    existing = job_by_key(key)
    if existing is not None:
        return existing
    job = Job(kind=kind, key=key, params=params or {}, state=JobState.queued,
              started_by_id=user_id)
    db.session.add(job)
    db.session.flush()
    return job


def dispatch_queued_jobs(older_than: dt.timedelta = LOST_AFTER, limit: int = 100) -> int:
    """Hand out again the jobs queued for longer than `older_than` (their dispatch was
    lost). Harmless for a job whose message is merely waiting for a worker: it is claimed
    once (`claim`), a duplicate delivery is skipped. Returns the number dispatched."""
    ids = db.session.scalars(
        select(Job.id).where(Job.state == JobState.queued,
                             Job.created_at < utcnow() - older_than)
        .order_by(Job.id).limit(limit)).all()
    db.session.rollback()  # nothing held while the jobs run (in-process without a broker)
    for job_id in ids:
        dispatch_job(job_id)
    return len(ids)


def job_by_key(key: str) -> Job | None:
    return db.session.scalars(select(Job).where(Job.key == key)).first()


def dispatch_job(job_id: int) -> None:
    """Hand a recorded (committed) job to a worker."""
    dispatch(job_id, run_job)


def retry_job(job_id: int) -> Job:
    """Queue a failed job again (same row, same key). Refused for a job that is not failed."""
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.failed:
        raise CommandError(_("Seul un travail en échec peut être relancé."))
    job.state, job.done, job.errors, job.summary = JobState.queued, 0, None, None
    job.finished_at = None
    db.session.commit()
    dispatch_job(job.id)
    return job


def claim(job_id: int) -> JobRun | None:
    """Take a queued job (or one whose worker died): a duplicate delivery gets nothing."""
    stale = utcnow() - STALE_AFTER
    with Session(db.engine) as session:
        claimed = session.execute(
            update(Job).where(Job.id == job_id, or_(
                Job.state == JobState.queued,
                (Job.state == JobState.running) & (Job.started_at < stale)))
            .values(state=JobState.running, started_at=utcnow(), done=0,
                    attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
        if not claimed:
            return None
        job = session.get(Job, job_id)
        return JobRun(job.id, job.kind, dict(job.params or {}), job.started_by_id, job.attempts,
                      dict(job.result or {}))


def finish(job_id: int, outcome: JobOutcome) -> None:
    write_beside(Job, job_id, state=JobState.done, summary=outcome.summary,
                 result=outcome.result or None, errors=outcome.errors or None,
                 finished_at=utcnow(), done=Job.total)


def fail(job_id: int, exc: Exception) -> None:
    if isinstance(exc, CommandError):
        message = str(exc)
    else:
        log.exception("Travail %s en échec", job_id)
        with force_locale("fr"):
            message = _("Erreur inattendue (%(error)s) : rien n'a été enregistré.",
                        error=type(exc).__name__)
    with force_locale("fr"):
        summary = _("Échec : %(message)s", message=message)
    write_beside(Job, job_id, state=JobState.failed, errors=[message[:2000]],
                 summary=summary[:4000], finished_at=utcnow())


def run_job(job_id: int) -> str:
    """Do a recorded job (the body of the Celery task and of the thread). Returns its
    final state, or "skipped" when another worker has it."""
    run = claim(job_id)
    if run is None:
        return "skipped"
    db.session.rollback()  # the handler starts a fresh transaction
    try:
        outcome = _HANDLERS[run.kind](run)
    except Exception as exc:
        db.session.rollback()
        fail(job_id, exc)
        return JobState.failed.value
    finish(job_id, outcome)
    return JobState.done.value
