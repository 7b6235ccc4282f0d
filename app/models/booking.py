"""Enrolments (child × service × school year) and bookings (child × service × day)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import LabelledEnum, Model, TimestampMixin, user_fk, utcnow


class EnrolmentState(LabelledEnum):
    pending = "pending"
    validated = "validated"
    refused = "refused"
    cancelled = "cancelled"


EnrolmentState.LABELS = {
    EnrolmentState.pending: _l("En attente"),
    EnrolmentState.validated: _l("Validée"),
    EnrolmentState.refused: _l("Refusée"),
    EnrolmentState.cancelled: _l("Annulée"),
}


class BookingState(LabelledEnum):
    booked = "booked"  # blue
    pending = "pending"  # green: late request or manual validation
    waiting = "waiting"  # green: waiting list (day full)
    modification = "modification"  # orange
    cancellation = "cancellation"  # pink
    refused = "refused"
    cancelled = "cancelled"


BookingState.LABELS = {
    BookingState.booked: _l("Réservé"),
    BookingState.pending: _l("En attente de validation"),
    BookingState.waiting: _l("Liste d'attente"),
    BookingState.modification: _l("Demande de modification"),
    BookingState.cancellation: _l("Demande d'annulation"),
    BookingState.refused: _l("Refusé"),
    BookingState.cancelled: _l("Annulé"),
}

#: States that hold a seat on the day (counted against capacity).
SEAT_HOLDING_STATES = (BookingState.booked, BookingState.modification, BookingState.cancellation)


class Attendance(LabelledEnum):
    present = "present"
    absent_excused = "absent_excused"
    absent_unexcused = "absent_unexcused"


Attendance.LABELS = {
    Attendance.present: _l("Présent"),
    Attendance.absent_excused: _l("Absent excusé"),
    Attendance.absent_unexcused: _l("Absent non excusé"),
}


class Enrolment(TimestampMixin, Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("child_id", "service_id", "school_year_id", "family_id"),)
    id = Column(Integer, primary_key=True)
    family_id = Column(
        Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    child_id = Column(
        Integer, ForeignKey("child.id", ondelete="CASCADE"), nullable=False, index=True
    )
    service_id = Column(Integer, ForeignKey("service.id"), nullable=False)
    school_id = Column(Integer, ForeignKey("school.id"), nullable=False)
    school_year_id = Column(Integer, ForeignKey("school_year.id"), nullable=False)
    state = Column(String(16), nullable=False, default=EnrolmentState.pending, index=True)
    start_date = Column(Date)
    end_date = Column(Date)
    comment = Column(Text)

    family = relationship("Family")
    child = relationship("Child")
    service = relationship("Service")
    school = relationship("School")
    school_year = relationship("SchoolYear")

    def __repr__(self) -> str:
        return f"{self.child} — {self.service} ({self.school_year})"


class Booking(TimestampMixin, Model):
    """One child × service × day. The family is the account that booked (and pays) it."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("child_id", "service_id", "day", name="uq_booking_child_service_day"),
        Index("ix_booking_service_school_day_state", "service_id", "school_id", "day", "state"),
        Index("ix_booking_family_day", "family_id", "day"),
        # The staff list's default order (day DESC, then id DESC: FAB's tie-breaker): with
        # the day alone a city's last day (20,000 bookings) is sorted on every page.
        Index("ix_booking_day_id", "day", "id"),
    )
    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("family.id", ondelete="CASCADE"), nullable=False)
    child_id = Column(Integer, ForeignKey("child.id", ondelete="CASCADE"), nullable=False)
    service_id = Column(Integer, ForeignKey("service.id"), nullable=False)
    school_id = Column(Integer, ForeignKey("school.id"), nullable=False)
    day = Column(Date, nullable=False)
    state = Column(String(16), nullable=False, default=BookingState.booked)
    # Waiting-list order: the moment the family asked.
    requested_at = Column(DateTime, nullable=False, default=utcnow)
    attendance = Column(String(20))
    # What the family told the service about this day ("départ à 16h30 avec sa grand-mère").
    note = Column(String(255))
    # The child came without a booking (billed at the surcharge price).
    unbooked = Column(Integer, nullable=False, default=0)
    attendance_recorded_by = user_fk()
    attendance_recorded_at = Column(DateTime)

    family = relationship("Family")
    child = relationship("Child")
    service = relationship("Service")
    school = relationship("School")

    def __repr__(self) -> str:
        return f"{self.child} — {self.service} — {self.day:%d/%m/%Y}"
