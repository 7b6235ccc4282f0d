"""The import run: the checked file written in one transaction (all or nothing), its
progress written beside it so the page shows it move, its report at the end."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import (
    Child,
    Enrolment,
    EnrolmentState,
    Family,
    FamilyImport,
    Guardian,
    ImportState,
    QuotientFamilial,
    SepaMandate,
)
from ...models.base import utcnow
from ..calendar import current_school_year, local_today
from ..errors import CommandError
from ..menus.catalog import fold
from .check import Checked, FamilyPlan, check_rows
from .files import file_rows

log = logging.getLogger(__name__)

CHUNK = 100  # families per flush and per progress step
MAX_REASONS = 20
Progress = Callable[[int, int], None]


class Writer:
    """Adds what the plan has and the database lacks; never changes what exists."""

    def __init__(self) -> None:
        self.counts = dict(families=0, guardians=0, children=0, quotients=0, mandates=0,
                           enrolments=0)
        self.new_guardians: list[Guardian] = []
        codes = db.session.scalars(select(Family.account_code)
                                   .where(Family.account_code.like("F%"))).all()
        self.last_code = max((int(c[1:]) for c in codes if c[1:].isdigit()), default=0)
        year = current_school_year(local_today())
        self.year_id = year.id if year else None
        self.year_start = year.start_date if year else None

    def family(self, plan: FamilyPlan) -> Family:
        if plan.family_id is not None:
            return db.session.get(Family, plan.family_id)
        code = plan.account_code
        if not code:
            self.last_code += 1
            code = f"F{self.last_code:05d}"
        values = {k: v for k, v in plan.values.items() if k != "name"}
        family = Family(name=plan.values["name"], account_code=code, **values)
        db.session.add(family)
        self.counts["families"] += 1
        return family

    def write(self, plan: FamilyPlan) -> None:
        family = self.family(plan)
        guardians = list(family.guardians) if plan.family_id else []
        for person in plan.guardians.values():
            if any(self._same_guardian(g, person) for g in guardians):
                continue
            guardian = Guardian(family=family, first_name=person.first_name,
                                last_name=person.last_name, email=person.email,
                                phone_mobile=person.phone,
                                relationship_label=person.relationship)
            db.session.add(guardian)
            guardians.append(guardian)
            self.new_guardians.append(guardian)
            self.counts["guardians"] += 1
        self._children(family, plan)
        self._quotients(family, plan)
        self._mandates(family, plan)

    @staticmethod
    def _same_guardian(guardian: Guardian, person) -> bool:
        if person.email:
            return (guardian.email or "").lower() == person.email
        return (fold(guardian.first_name), fold(guardian.last_name)) == (
            fold(person.first_name), fold(person.last_name))

    def _children(self, family: Family, plan: FamilyPlan) -> None:
        known = {(fold(c.first_name), c.birth_date): c for c in family.children} \
            if plan.family_id else {}
        for key, kid in plan.kids.items():
            child = known.get(key)
            if child is None:
                child = Child(first_name=kid.first_name, last_name=kid.last_name,
                              birth_date=kid.birth_date, school_id=kid.school_id,
                              class_name=kid.class_name)
                family.children.append(child)
                self.counts["children"] += 1
            self._enrol(family, child, kid)

    def _enrol(self, family: Family, child: Child, kid) -> None:
        if not kid.service_ids or self.year_id is None:
            return
        db.session.flush()
        have = set(db.session.scalars(select(Enrolment.service_id).where(
            Enrolment.child_id == child.id, Enrolment.family_id == family.id,
            Enrolment.school_year_id == self.year_id)))
        for service_id in dict.fromkeys(kid.service_ids):
            if service_id in have:
                continue
            db.session.add(Enrolment(family_id=family.id, child_id=child.id,
                                     service_id=service_id, school_id=kid.school_id,
                                     school_year_id=self.year_id,
                                     state=EnrolmentState.validated,
                                     start_date=self.year_start))
            self.counts["enrolments"] += 1

    def _quotients(self, family: Family, plan: FamilyPlan) -> None:
        known = {q.valid_from for q in family.quotients} if plan.family_id else set()
        for start, (value, valid_from, valid_to) in plan.quotients.items():
            if start not in known:
                family.quotients.append(QuotientFamilial(
                    value=value, valid_from=valid_from, valid_to=valid_to,
                    source="Import"))
                self.counts["quotients"] += 1

    def _mandates(self, family: Family, plan: FamilyPlan) -> None:
        for rum, values in plan.mandates.items():
            if db.session.scalar(select(SepaMandate.id).where(SepaMandate.rum == rum)):
                continue
            db.session.add(SepaMandate(family=family, sequence_type="FRST", active=True,
                                       **values))
            self.counts["mandates"] += 1


def import_plan(checked: Checked, progress: Progress | None = None) -> dict:
    """Write a checked file (in the caller's transaction). Returns the counts and the ids
    of the guardians created."""
    report = progress or (lambda done, total: None)
    writer, total = Writer(), len(checked.families)
    report(0, total)
    for start in range(0, total, CHUNK):
        for plan in checked.families[start:start + CHUNK]:
            writer.write(plan)
        db.session.flush()
        report(min(start + CHUNK, total), total)
    return {**writer.counts, "guardian_ids": [g.id for g in writer.new_guardians]}


# --- the recorded run (FamilyImport) ------------------------------------------------------


def write_beside(import_id: int, **values) -> None:
    """Update the import's record in its own short transaction (seen at once by the page,
    whatever becomes of the import's transaction)."""
    with Session(db.engine) as session:
        session.execute(update(FamilyImport).where(FamilyImport.id == import_id)
                        .values(**values).execution_options(synchronize_session=False))
        session.commit()


def _claim(import_id: int) -> bool:
    with Session(db.engine) as session:
        claimed = session.execute(
            update(FamilyImport).where(FamilyImport.id == import_id,
                                       FamilyImport.state == ImportState.queued)
            .values(state=ImportState.running, started_at=utcnow(), rows_done=0)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
    return bool(claimed)


def execute_import(import_id: int, progress: Progress | None = None) -> str:
    """Run a queued import (the job's body): all or nothing. Returns its final state.
    `progress(done, total)` is told of each chunk of families (besides the record)."""
    if not _claim(import_id):
        return "skipped"
    record = db.session.get(FamilyImport, import_id, populate_existing=True)
    live = db.engine.dialect.name != "sqlite"  # SQLite: one writer, progress waits
    also = progress or (lambda done, total: None)

    def report(done: int, total: int) -> None:
        if live or done == 0:
            write_beside(import_id, rows_done=done, rows_total=total)
            also(done, total)

    try:
        checked = check_rows(file_rows(record.filename, record.content),
                             json.loads(record.mapping or "{}"))
        if not checked.ok:  # the database changed since the dry run
            raise CommandError([_("Ligne %(line)s : %(reason)s.", line=line, reason=why)
                                for line, why in checked.errors[:MAX_REASONS]])
        result = import_plan(checked, report)
        record.state, record.finished_at = ImportState.done, utcnow()
        record.rows_done = record.rows_total = len(checked.families)
        record.result = json.dumps(result)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if isinstance(exc, CommandError):
            reasons = exc.messages
        else:
            log.exception("Import %s : échec", import_id)
            reasons = [_("Erreur inattendue (%(error)s) : rien n'a été importé.",
                         error=type(exc).__name__)]
        write_beside(import_id, state=ImportState.failed, finished_at=utcnow(),
                     errors=json.dumps([[0, r] for r in reasons], ensure_ascii=False))
        return ImportState.failed.value
    return ImportState.done.value
