"""What the progress bar of a job shows (polled as JSON by app/static/js/jobs.js)."""

from __future__ import annotations

from ...models import Job, JobState
from ...models.base import utcnow


def estimated_seconds(job: Job) -> int | None:
    """Time left, from the pace so far (None before the first progress)."""
    if job.state != JobState.running or not job.started_at or not job.done or not job.total:
        return None
    elapsed = (utcnow() - job.started_at).total_seconds()
    return max(0, round(elapsed * (job.total - job.done) / job.done))


def job_status(job: Job) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "state_label": JobState(job.state).label,
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else (
            100 if job.state == JobState.done else 0),
        "eta_seconds": estimated_seconds(job),
        "finished": job.state in (JobState.done, JobState.failed),
        "summary": job.summary,
        "errors": job.errors or [],
        "result": job.result or {},
    }
