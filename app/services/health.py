"""The health check a load balancer or a supervisor polls (`/sante`): the database, Redis,
a worker's heartbeat, and the mails waiting to be sent. No secret is ever shown (no address,
no password, no exception text): a state per part and a count.

A worker writes its heartbeat into Redis when it starts and then every HEARTBEAT_EVERY
seconds (the beat task `portal.heartbeat`); older than HEARTBEAT_STALE, the worker is down.
Without REDIS_URL, tasks run in the web process: Redis and the worker are « absent », which
is healthy on a single machine.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import func, select, text

from ..extensions import db
from ..models import MailState, OutgoingMail

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "portail:worker-heartbeat"
HEARTBEAT_EVERY = 30.0  # seconds
HEARTBEAT_STALE = 120.0  # seconds: four missed beats
TIMEOUT = 1.0  # seconds per check: the health check never hangs


def _redis():
    import redis

    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return None
    return redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


def beat() -> None:
    """The worker's heartbeat (kept 10 minutes, then it expires)."""
    client = _redis()
    if client is not None:
        client.set(HEARTBEAT_KEY, repr(time.time()), ex=600)


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception:
        db.session.rollback()
        log.exception("Santé : base de données injoignable")
        return {"ok": False}


def _redis_and_worker() -> tuple[dict, dict]:
    try:
        client = _redis()
    except Exception:
        return {"ok": False}, {"ok": False}
    if client is None:
        return {"ok": True, "mode": "absent"}, {"ok": True, "mode": "in-process"}
    try:
        client.ping()
        raw = client.get(HEARTBEAT_KEY)
    except Exception:
        log.exception("Santé : Redis injoignable")
        return {"ok": False}, {"ok": False}
    if raw is None:
        return {"ok": True}, {"ok": False, "heartbeat_age_s": None}
    age = max(0.0, time.time() - float(raw))
    return {"ok": True}, {"ok": age <= HEARTBEAT_STALE, "heartbeat_age_s": round(age, 1)}


def _pending_mails() -> int | None:
    try:
        return db.session.scalar(
            select(func.count()).select_from(OutgoingMail)
            .where(OutgoingMail.state == MailState.pending))
    except Exception:
        db.session.rollback()
        return None


def health() -> tuple[dict, bool]:
    """(the report, healthy?): healthy when the database, Redis and a worker answer."""
    database = _database()
    redis_state, worker = _redis_and_worker()
    pending = _pending_mails() if database["ok"] else None
    healthy = database["ok"] and redis_state["ok"] and worker["ok"]
    return {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "redis": redis_state,
        "worker": worker,
        "mails_pending": pending,
    }, healthy
