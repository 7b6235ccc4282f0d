"""The yearly refresh of every consenting family's QF (start of the school year), in the
background: progress and counts (found, not found, error) are written after each family,
whose reading is its own transaction (one family's error never undoes another's)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import QfBatch, QfBatchState, QfConsent, QfFetch, QfFetchOutcome
from ...models.base import utcnow
from ..errors import CommandError, transaction
from .client import ApiParticulierClient
from .commands import FetchQuotient

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(hours=6)


def consenting_families() -> list[int]:
    return sorted(set(db.session.scalars(
        select(QfConsent.family_id).where(QfConsent.withdrawn_at.is_(None)))))


def start_batch(user_id: int | None) -> QfBatch:
    """Record a new batch; refused while another one is waiting or running."""
    busy = db.session.scalars(select(QfBatch).where(
        QfBatch.state.in_([QfBatchState.pending, QfBatchState.running]),
        QfBatch.created_at > utcnow() - STALE_AFTER)).first()
    if busy is not None:
        raise CommandError(_("Une mise à jour des quotients est déjà en cours."))
    with transaction():
        batch = QfBatch(state=QfBatchState.pending, started_by_id=user_id, created_at=utcnow())
        db.session.add(batch)
    return batch


def execute_batch(batch_id: int, client: ApiParticulierClient | None = None) -> str:
    batch = db.session.get(QfBatch, batch_id)
    if batch is None or batch.state != QfBatchState.pending:
        return "skipped"
    families = consenting_families()
    with transaction():
        batch.state, batch.total = QfBatchState.running, len(families)
    interval = float(current_app.config.get("API_PARTICULIER_BATCH_INTERVAL") or 0)
    try:
        for family_id in families:
            started = time.monotonic()
            _one(batch, family_id, client)
            # API Particulier allows 20 calls a second per token: stay well below.
            _pause(max(0.0, interval - (time.monotonic() - started)))
    except Exception as exc:  # recorded on the batch, never half-silent
        db.session.rollback()
        log.exception("QF batch %s stopped", batch_id)
        with transaction():
            batch = db.session.get(QfBatch, batch_id)
            batch.state, batch.error, batch.finished_at = QfBatchState.failed, str(exc), utcnow()
        return "failed"
    with transaction():
        batch.state, batch.finished_at = QfBatchState.done, utcnow()
    return "done"


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _one(batch: QfBatch, family_id: int, client) -> None:
    with contextlib.suppress(CommandError):  # the audit row says what happened
        FetchQuotient(family_id, batch.started_by_id, "batch", batch.id, client).run()
    outcome = db.session.scalars(
        select(QfFetch.outcome).where(QfFetch.batch_id == batch.id,
                                      QfFetch.family_id == family_id)
        .order_by(QfFetch.id.desc())).first()
    with transaction():
        batch.done += 1
        if outcome == QfFetchOutcome.found:
            batch.found += 1
        elif outcome == QfFetchOutcome.not_found:
            batch.not_found += 1
        else:
            batch.errors += 1
