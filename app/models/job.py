"""Background jobs: one row per long action (billing run, import, PDF batch…), with its
state, its progress and its French result report, for the page that started it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class JobState(LabelledEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


JobState.LABELS = {
    JobState.queued: _l("En file d'attente"),
    JobState.running: _l("En cours"),
    JobState.done: _l("Terminé"),
    JobState.failed: _l("Échoué"),
}


class Job(Model):
    """A piece of background work. `key` (idempotency) is unique: starting the same work
    twice gives the same job, and a retry reuses the row (its handler never doubles what a
    first attempt committed)."""

    __tablename__ = "job"
    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False, index=True)
    key = Column(String(160), nullable=False, unique=True)
    state = Column(String(16), nullable=False, default=JobState.queued, index=True)
    params = Column(JSON, nullable=False, default=dict)
    done = Column(Integer, nullable=False, default=0)
    total = Column(Integer, nullable=False, default=0)
    summary = Column(Text)  # the French result report
    result = Column(JSON)  # figures of the result, for the page (counts, totals as text)
    errors = Column(JSON)  # list of French messages
    attempts = Column(Integer, nullable=False, default=0)
    started_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime)
    finished_at = Column(DateTime)

    started_by = relationship("User", foreign_keys=[started_by_id])

    def __repr__(self) -> str:
        return f"{self.kind} #{self.id}"
