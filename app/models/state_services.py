"""The State's services: FranceConnect identities linked to guardians, and the quotient
familial read from the CAF / MSA through API Particulier (consent, each request, batches).

The consent is a plain record for now (who, when, for which purpose, with the identity of
the allocataire to look up); the family file's versioned consents may later take it over.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, user_fk, utcnow


class FranceConnectLink(Model):
    """A guardian's FranceConnect identity (`sub`, pairwise for the town): one each.
    The pivot identity is kept as FranceConnect certified it at linking time."""

    __tablename__ = "franceconnect_link"
    id = Column(Integer, primary_key=True)
    guardian_id = Column(
        Integer, ForeignKey("guardian.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    sub = Column(String(255), nullable=False, unique=True)
    given_name = Column(String(200), nullable=False)
    family_name = Column(String(200), nullable=False)
    birthdate = Column(Date)
    gender = Column(String(10))
    birthplace = Column(String(10))  # code COG INSEE de la commune (vide si né à l'étranger)
    birthcountry = Column(String(10))  # code COG INSEE du pays (99100 = France)
    linked_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime)

    guardian = relationship("Guardian")

    def __repr__(self) -> str:
        return f"FranceConnect {self.given_name} {self.family_name}"


class QfConsent(Model):
    """« J'accepte que la commune consulte mon quotient familial » given by a guardian for
    the family; withdrawn_at set when taken back (a new consent is a new row)."""

    __tablename__ = "qf_consent"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    guardian_id = Column(Integer, ForeignKey("guardian.id", ondelete="SET NULL"))
    given_by_id = user_fk()
    given_at = Column(DateTime, nullable=False, default=utcnow)
    purpose = Column(Text, nullable=False)
    withdrawn_at = Column(DateTime)
    # The allocataire looked up (API Particulier's "identité" call).
    birth_name = Column(String(120), nullable=False)
    first_names = Column(String(200), nullable=False)
    birth_date = Column(Date, nullable=False)
    sex = Column(String(1), nullable=False)  # F / M (sexe à l'état civil)
    birth_place_cog = Column(String(5))  # commune of birth in France
    birth_country_cog = Column(String(5), nullable=False, default="99100")

    family = relationship("Family")
    guardian = relationship("Guardian")
    given_by = relationship("User", foreign_keys=[given_by_id])


class QfFetchOutcome(LabelledEnum):
    found = "found"
    not_found = "not_found"
    error = "error"


QfFetchOutcome.LABELS = {
    QfFetchOutcome.found: _l("Trouvé"),
    QfFetchOutcome.not_found: _l("Non trouvé"),
    QfFetchOutcome.error: _l("Erreur"),
}


class QfFetch(Model):
    """One request to API Particulier (the audit trail): who asked, when, how it ended."""

    __tablename__ = "qf_fetch"
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    consent_id = Column(Integer, ForeignKey("qf_consent.id", ondelete="SET NULL"))
    requested_by_id = user_fk()
    requested_at = Column(DateTime, nullable=False, default=utcnow)
    origin = Column(String(10), nullable=False)  # parent, staff, batch
    batch_id = Column(Integer, ForeignKey("qf_batch.id", ondelete="CASCADE"), index=True)
    outcome = Column(String(12), nullable=False)
    message = Column(String(255))
    quotient_id = Column(Integer, ForeignKey("quotient_familial.id", ondelete="SET NULL"))

    family = relationship("Family")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    quotient = relationship("QuotientFamilial")


class QfBatchState(LabelledEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


QfBatchState.LABELS = {
    QfBatchState.pending: _l("En file d'attente"),
    QfBatchState.running: _l("En cours"),
    QfBatchState.done: _l("Terminé"),
    QfBatchState.failed: _l("Interrompu"),
}


class QfBatch(Model):
    """The yearly refresh of every consenting family, with its progress and report."""

    __tablename__ = "qf_batch"
    id = Column(Integer, primary_key=True)
    state = Column(String(10), nullable=False, default=QfBatchState.pending)
    started_by_id = user_fk()
    created_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)
    total = Column(Integer, nullable=False, default=0)
    done = Column(Integer, nullable=False, default=0)
    found = Column(Integer, nullable=False, default=0)
    not_found = Column(Integer, nullable=False, default=0)
    errors = Column(Integer, nullable=False, default=0)
    error = Column(Text)

    started_by = relationship("User", foreign_keys=[started_by_id])
    fetches = relationship("QfFetch", order_by="QfFetch.id")


__all__ = [
    "FranceConnectLink",
    "QfBatch",
    "QfBatchState",
    "QfConsent",
    "QfFetch",
    "QfFetchOutcome",
]
