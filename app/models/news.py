"""Actualités shown on the parent's home page."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import Model, user_fk, utcnow


class News(Model):
    __tablename__ = "news"
    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    school_id = Column(Integer, ForeignKey("school.id", ondelete="CASCADE"))  # none = all
    published_on = Column(Date, nullable=False)
    unpublished_on = Column(Date)
    created_by_id = user_fk()
    school = relationship("School")

    def __repr__(self) -> str:
        return self.title


class StructureInfo(Model):
    """The structure's information page on the parents' Accueil (opening hours, addresses,
    contacts), written by staff (« Communication › Informations pratiques »). The most
    recently updated row is shown."""

    __tablename__ = "structure_info"
    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    hours = Column(Text)
    addresses = Column(Text)
    contacts = Column(Text)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return self.title
