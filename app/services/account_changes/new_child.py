"""A family declares a child it has not got on its account yet (a newborn going to school,
a child moving in): a data-change request to staff through the request queue; validating
it adds the child to the family (then the family can ask for enrolments).

Request JSON: {"target": "new_child", "fields": {first_name, last_name, birth_date
(ISO), school_id, class_name}}; the old value is {"target": "new_child", "fields": None}.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import Child, Request, RequestKind, School
from ...models.family import family_child
from ..calendar import local_today
from ..command import BaseCommand
from ..errors import ErrorCollector, transaction

TARGET = "new_child"


def parse_day(text: str | None) -> dt.date | None:
    """jj/mm/aaaa (what a French parent types) or aaaa-mm-jj (a date picker)."""
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class DeclareChild(BaseCommand):
    family_id: int
    user_id: int | None
    first_name: str
    last_name: str
    birth_date: str
    school_id: str | int | None
    class_name: str = ""

    def validate(self) -> None:
        errors = ErrorCollector()
        self.first_name = " ".join((self.first_name or "").split())[:80]
        self.last_name = " ".join((self.last_name or "").split())[:80]
        self.class_name = " ".join((self.class_name or "").split())[:40]
        if not self.first_name:
            errors.add(_("Indiquez le prénom de l'enfant."), "first_name")
        if not self.last_name:
            errors.add(_("Indiquez le nom de l'enfant."), "last_name")
        self.born = parse_day(self.birth_date)
        today = local_today()
        if self.born is None:
            errors.add(_("Indiquez la date de naissance au format jj/mm/aaaa."), "birth_date")
        elif not today.replace(year=today.year - 20) <= self.born <= today:
            errors.add(_("La date de naissance n'est pas plausible."), "birth_date")
        try:
            self.school = db.session.get(School, int(self.school_id or 0))
        except ValueError:
            self.school = None
        if self.school is None:
            errors.add(_("Choisissez l'école de l'enfant."), "school_id")
        errors.raise_if_any()

    def run(self) -> Request:
        self.validate()
        fields = {"first_name": self.first_name, "last_name": self.last_name,
                  "birth_date": self.born.isoformat(), "school_id": self.school.id,
                  "class_name": self.class_name or None}
        with transaction():
            row = Request(
                family_id=self.family_id, kind=RequestKind.data_change,
                summary=_("Nouvel enfant à ajouter : %(first)s %(last)s, né(e) le %(born)s",
                          first=self.first_name, last=self.last_name,
                          born=self.born.strftime("%d/%m/%Y"))[:255],
                old_value=json.dumps({"target": TARGET, "fields": None}),
                new_value=json.dumps({"target": TARGET, "fields": fields}, ensure_ascii=False),
                created_by_id=self.user_id)
            db.session.add(row)
        return row


def check(request: Request, fields: dict) -> str | None:
    """Why validating would be wrong now (the queue shows it), else None."""
    if db.session.get(School, fields.get("school_id")) is None:
        return _("l'école n'existe plus")
    return None


def apply(request: Request, fields: dict) -> Child:
    """Validation: the child joins the family."""
    child = Child(first_name=fields["first_name"], last_name=fields["last_name"],
                  birth_date=dt.date.fromisoformat(fields["birth_date"]),
                  school_id=fields["school_id"], class_name=fields.get("class_name"))
    db.session.add(child)
    db.session.flush()
    db.session.execute(family_child.insert().values(family_id=request.family_id,
                                                    child_id=child.id))
    request.child_id = child.id
    return child


def schools() -> list[School]:
    """The schools a declared child may attend (the form's choices)."""
    return db.session.query(School).order_by(School.name).all()
