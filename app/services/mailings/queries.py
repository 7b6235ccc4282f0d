"""What the mailing page shows: the choices (schools, classes, services), the recipients
of a selection and their count, the mailings already sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from ...extensions import db
from ...models import Child, Family, Guardian, Mailing, School, Service
from .criteria import Criteria

RECENT = 20
PREVIEW_SHOWN = 200


@dataclass
class Recipients:
    families: list[tuple[int, str, str]]  # id, account code, name (by name)
    addresses: int  # guardians' addresses the mail goes to

    @property
    def count(self) -> int:
        return len(self.families)


def recipients(criteria: Criteria) -> Recipients:
    """The families chosen, and how many guardian addresses they have (two queries)."""
    if criteria.empty:
        return Recipients([], 0)
    clause = criteria.clause()
    families = db.session.execute(select(Family.id, Family.account_code, Family.name)
                                  .where(clause).order_by(Family.name, Family.id)).all()
    addresses = db.session.scalar(
        select(func.count(distinct(Guardian.id))).join(Family, Guardian.family_id == Family.id)
        .where(clause, Guardian.email.isnot(None), Guardian.email != "")) or 0
    return Recipients([tuple(f) for f in families], addresses)


def addresses_by_family(family_ids: list[int]) -> dict[int, int]:
    """How many guardian addresses each family has (what `alert_family` mails)."""
    if not family_ids:
        return {}
    return dict(db.session.execute(
        select(Guardian.family_id, func.count(Guardian.id))
        .where(Guardian.family_id.in_(family_ids), Guardian.email.isnot(None),
               Guardian.email != "").group_by(Guardian.family_id)).all())


def choices() -> dict:
    schools = db.session.execute(select(School.id, School.name).order_by(School.name)).all()
    classes = db.session.execute(
        select(distinct(Child.school_id), Child.class_name, School.name)
        .join(School, School.id == Child.school_id)
        .where(Child.class_name.isnot(None), Child.class_name != "")
        .order_by(School.name, Child.class_name)).all()
    services = db.session.execute(select(Service.id, Service.name)
                                  .where(Service.active.is_(True)).order_by(Service.name)).all()
    return {"schools": schools, "classes": classes, "services": services}


def recent_mailings() -> list[Mailing]:
    return db.session.scalars(select(Mailing).order_by(Mailing.sent_at.desc(), Mailing.id.desc())
                              .limit(RECENT)).all()
