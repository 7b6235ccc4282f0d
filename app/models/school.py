"""Schools, services (canteen, care) with capacities and deadline rules, school years, closures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model


class SchoolSector(LabelledEnum):
    public = "public"
    private = "private"


SchoolSector.LABELS = {SchoolSector.public: _l("Public"), SchoolSector.private: _l("Privé")}


class ServiceKind(LabelledEnum):
    canteen = "canteen"
    care_morning = "care_morning"
    care_evening = "care_evening"
    care_other = "care_other"


ServiceKind.LABELS = {
    ServiceKind.canteen: _l("Restaurant scolaire"),
    ServiceKind.care_morning: _l("Accueil périscolaire du matin"),
    ServiceKind.care_evening: _l("Accueil périscolaire du soir"),
    ServiceKind.care_other: _l("Autre accueil"),
}


class DeadlineKind(LabelledEnum):
    """How a booking or cancellation deadline is computed (see app.services.deadlines)."""

    working_days_before = "working_days_before"  # N working days before, at HH:MM
    weekday_previous_week = "weekday_previous_week"  # weekday W (0=Monday) of the previous week
    days_before = "days_before"  # N calendar days before, at HH:MM


DeadlineKind.LABELS = {
    DeadlineKind.working_days_before: _l("N jours ouvrés avant, à HH:MM"),
    DeadlineKind.weekday_previous_week: _l("Jour W de la semaine précédente, à HH:MM"),
    DeadlineKind.days_before: _l("N jours calendaires avant, à HH:MM"),
}


class School(Model):
    __tablename__ = "school"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), unique=True, nullable=False)
    sector = Column(String(16), nullable=False, default=SchoolSector.public)
    address = Column(String(255))
    postal_code = Column(String(10))
    city = Column(String(80))
    phone = Column(String(20))
    email = Column(String(120))

    def __repr__(self) -> str:
        return self.name


class Service(Model):
    __tablename__ = "service"
    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    kind = Column(String(20), nullable=False, default=ServiceKind.canteen)
    # Périscolaire (care) counts for the attestation fiscale; meals do not.
    is_childcare = Column(Boolean, nullable=False, default=False)
    # Every booking needs a staff decision, whatever the deadline.
    manual_validation = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    # Deadline rules are data: kind + N (days, or weekday 0-6) + time of day.
    booking_deadline_kind = Column(
        String(32), nullable=False, default=DeadlineKind.working_days_before
    )
    booking_deadline_value = Column(Integer, nullable=False, default=2)
    booking_deadline_time = Column(Time, nullable=False)
    cancel_deadline_kind = Column(
        String(32), nullable=False, default=DeadlineKind.working_days_before
    )
    cancel_deadline_value = Column(Integer, nullable=False, default=2)
    cancel_deadline_time = Column(Time, nullable=False)
    description = Column(Text)
    # The slot's opening hours (périscolaire): a slot attended, even in part, counts whole
    # in the CAF's hours report (app.services.state_reports).
    slot_start = Column(Time)
    slot_end = Column(Time)
    # The planning says « Dernières places » when this many seats or fewer are left (none: never).
    last_seats_threshold = Column(Integer, default=5)

    capacities = relationship(
        "ServiceCapacity", back_populates="service", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return self.name


class ServiceCapacity(Model):
    """Seats per day for a service at a school (the same every open day)."""

    __tablename__ = "service_capacity"
    __table_args__ = (UniqueConstraint("service_id", "school_id"),)
    id = Column(Integer, primary_key=True)
    service_id = Column(Integer, ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    school_id = Column(Integer, ForeignKey("school.id", ondelete="CASCADE"), nullable=False)
    capacity = Column(Integer, nullable=False)
    service = relationship("Service", back_populates="capacities")
    school = relationship("School")

    def __repr__(self) -> str:
        return f"{self.service} — {self.school} : {self.capacity}"
