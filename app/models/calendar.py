"""School years and closures; open days are computed in app.services.calendar."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from .base import Model


class SchoolYear(Model):
    __tablename__ = "school_year"
    id = Column(Integer, primary_key=True)
    label = Column(String(9), unique=True, nullable=False)  # "2026-2027"
    start_date = Column(Date, nullable=False)  # rentrée
    end_date = Column(Date, nullable=False)  # last day of school
    zone = Column(String(10), nullable=False, default="B")
    # Weekdays without school, as digits 0=Monday … 6=Sunday ("2" = Wednesday).
    closed_weekdays = Column(String(7), nullable=False, default="256")

    def __repr__(self) -> str:
        return self.label

    @property
    def closed_weekday_numbers(self) -> set[int]:
        return {int(c) for c in self.closed_weekdays or "" if c.isdigit()}


class Closure(Model):
    """A closure decided by the town: all schools/services, or one school and/or one service."""

    __tablename__ = "closure"
    id = Column(Integer, primary_key=True)
    start_date = Column(Date, nullable=False)
    end_date = Column(Date, nullable=False)
    school_id = Column(Integer, ForeignKey("school.id", ondelete="CASCADE"))
    service_id = Column(Integer, ForeignKey("service.id", ondelete="CASCADE"))
    reason = Column(String(255), nullable=False)
    school = relationship("School")
    service = relationship("Service")

    def __repr__(self) -> str:
        return f"{self.reason} ({self.start_date:%d/%m/%Y} → {self.end_date:%d/%m/%Y})"
