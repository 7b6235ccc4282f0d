"""Prices per service and school year, in quotient-familial brackets."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from .base import Model, Money


class Tariff(Model):
    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("service_id", "school_year_id"),)
    id = Column(Integer, primary_key=True)
    service_id = Column(Integer, ForeignKey("service.id"), nullable=False)
    school_year_id = Column(Integer, ForeignKey("school_year.id"), nullable=False)
    label = Column(String(120))
    service = relationship("Service")
    school_year = relationship("SchoolYear")
    brackets = relationship(
        "TariffBracket",
        back_populates="tariff",
        cascade="all, delete-orphan",
        order_by="TariffBracket.qf_min",
    )

    def __repr__(self) -> str:
        return f"{self.service} {self.school_year}"


class TariffBracket(Model):
    """Price for a QF from qf_min to qf_max (inclusive; no max = and above).

    A family without a valid QF pays the highest bracket's price.
    """

    __tablename__ = "tariff_bracket"
    id = Column(Integer, primary_key=True)
    tariff_id = Column(Integer, ForeignKey("tariff.id", ondelete="CASCADE"), nullable=False)
    qf_min = Column(Integer, nullable=False, default=0)
    qf_max = Column(Integer)
    unit_price = Column(Money, nullable=False)
    # A presence without booking is billed at this price.
    unbooked_price = Column(Money, nullable=False)
    tariff = relationship("Tariff", back_populates="brackets")

    def __repr__(self) -> str:
        upper = f"{self.qf_max}" if self.qf_max is not None else "+"
        return f"QF {self.qf_min}–{upper} : {self.unit_price} €"
