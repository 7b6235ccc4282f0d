"""The pages that start a background job (app.services.jobs) and show its progress bar:
the form's one-time token (a double click or a resent form gives the same job), the job a
page shows (`?travail=<id>`, of the page's own kind only) and its JSON status for the
pages whose users may not open the managers' job page."""

from __future__ import annotations

import re
import secrets

from flask import abort, jsonify, request

from ...extensions import db
from ...models import Job
from ...services.jobs import job_status

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def job_token() -> str:
    """A new token for a form that starts a job (hidden field `job_token`)."""
    return secrets.token_urlsafe(18)


def submitted_token() -> str:
    """The form's token; a form without a valid one gets a fresh one (starts a job)."""
    token = (request.form.get("job_token") or "").strip()
    return token if _TOKEN.match(token) else job_token()


def shown_job(*kinds: str) -> tuple[Job | None, dict | None]:
    """The job named by `?travail=<id>` if it is of one of `kinds`, and its status."""
    job_id = request.args.get("travail", type=int)
    job = db.session.get(Job, job_id) if job_id else None
    if job is None or job.kind not in kinds:
        return None, None
    return job, job_status(job)


def status_json(job_id: int, *kinds: str):
    job = db.session.get(Job, job_id)
    if job is None or job.kind not in kinds:
        abort(404)
    return jsonify(job_status(job))
