"""Which families a mailing goes to: the manager's choice, as data (stored with the
mailing) and as a SQL clause. Within a kind the choices add up (this school or that one);
across kinds they narrow (at this school and enrolled in that service)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, exists, select

from ...extensions import db
from ...models import Child, Enrolment, EnrolmentState, Family, School, Service, family_child


@dataclass
class Criteria:
    school_ids: list[int] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # "school id|class name"
    service_ids: list[int] = field(default_factory=list)  # enrolled in the service
    enrolment_states: list[str] = field(default_factory=list)  # an enrolment in this state
    school_year_id: int | None = None  # enrolments of this year (none: any year)

    @property
    def empty(self) -> bool:
        return not (self.school_ids or self.classes or self.service_ids
                    or self.enrolment_states)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def clause(self):
        """The families chosen (active, not anonymised)."""
        conditions = [Family.active.is_(True), Family.anonymised_at.is_(None)]
        if self.school_ids or self.classes:
            conditions.append(exists(self._children()))
        if self.service_ids or self.enrolment_states:
            conditions.append(exists(self._enrolments()))
        return and_(*conditions)

    def _children(self):
        query = select(family_child.c.child_id).join(Child, Child.id == family_child.c.child_id)
        query = query.where(family_child.c.family_id == Family.id)
        if self.school_ids:
            query = query.where(Child.school_id.in_(self.school_ids))
        if self.classes:
            pairs = [c.split("|", 1) for c in self.classes if "|" in c]
            query = query.where(db.or_(*[
                and_(Child.school_id == int(s), Child.class_name == name)
                for s, name in pairs if s.isdigit()] or [db.false()]))
        return query

    def _enrolments(self):
        query = select(Enrolment.id).where(Enrolment.family_id == Family.id)
        if self.service_ids:
            query = query.where(Enrolment.service_id.in_(self.service_ids))
        states = self.enrolment_states or [EnrolmentState.validated]
        query = query.where(Enrolment.state.in_(states))
        if self.school_year_id:
            query = query.where(Enrolment.school_year_id == self.school_year_id)
        return query

    def label(self) -> str:
        """The selection in French words (shown with the mailing)."""
        parts = []
        if self.school_ids:
            names = db.session.scalars(select(School.name).where(
                School.id.in_(self.school_ids)).order_by(School.name))
            parts.append(_("écoles : %(names)s", names=", ".join(names)))
        if self.classes:
            parts.append(_("classes : %(names)s", names=", ".join(
                c.split("|", 1)[-1] for c in self.classes)))
        if self.service_ids:
            names = db.session.scalars(select(Service.name).where(
                Service.id.in_(self.service_ids)).order_by(Service.name))
            parts.append(_("inscrits à : %(names)s", names=", ".join(names)))
        if self.enrolment_states:
            labels = [str(EnrolmentState(s).label) for s in self.enrolment_states
                      if s in EnrolmentState.labels()]
            parts.append(_("inscriptions : %(names)s", names=", ".join(labels)))
        return " ; ".join(parts)


def criteria_from(values: dict[str, list[str]], school_year_id: int | None) -> Criteria:
    """The form's lists of strings → Criteria (ignores what is not a number / a state)."""
    def ids(name: str) -> list[int]:
        return sorted({int(v) for v in values.get(name, []) if str(v).isdigit()})

    return Criteria(
        school_ids=ids("school"), service_ids=ids("service"),
        classes=sorted({v for v in values.get("class", []) if "|" in v}),
        enrolment_states=sorted({v for v in values.get("enrolment", [])
                                 if v in EnrolmentState.labels()}),
        school_year_id=school_year_id)
