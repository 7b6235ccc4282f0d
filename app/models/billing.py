"""Billing runs: one monthly invoicing of every family, with its progress for the manager."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, Money, user_fk, utcnow


class BillingRunState(LabelledEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


BillingRunState.LABELS = {
    BillingRunState.pending: _l("En file d'attente"),
    BillingRunState.running: _l("En cours"),
    BillingRunState.done: _l("Terminée"),
    BillingRunState.failed: _l("Échouée (aucune facture créée)"),
}


class BillingRun(Model):
    """A run bills one month (terme échu). Its invoices and its final state are written in
    one transaction; progress is written beside it, so the manager sees it move."""

    __tablename__ = "billing_run"
    id = Column(Integer, primary_key=True)
    month = Column(Date, nullable=False, index=True)  # first day of the billed month
    issued_on = Column(Date, nullable=False)
    state = Column(String(16), nullable=False, default=BillingRunState.pending)
    families_total = Column(Integer, nullable=False, default=0)
    families_done = Column(Integer, nullable=False, default=0)
    invoices_created = Column(Integer, nullable=False, default=0)
    amount_total = Column(Money)
    first_number = Column(String(20))
    last_number = Column(String(20))
    error = Column(Text)
    started_by_id = user_fk()
    #: The background job running it (app.models.Job: progress bar, report, retry).
    job_id = Column(Integer, ForeignKey("job.id", ondelete="SET NULL"))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime)
    finished_at = Column(DateTime)

    started_by = relationship("User", foreign_keys=[started_by_id])

    def __repr__(self) -> str:
        return f"{self.month:%m/%Y}"
