"""The dry run: every line read, grouped by family, checked against the other lines and the
database. The result lists each refused line with its number and its reasons (French), and
what the run would create; nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    Child,
    Family,
    Guardian,
    QuotientFamilial,
    School,
    SepaMandate,
    Service,
    User,
    family_child,
)
from ..menus.catalog import fold
from .fields import FIELDS
from .parse import Kid, LineReader, Lookups, Person, Row, school_keys

MAX_ROWS = 20000


@dataclass
class FamilyPlan:
    key: str
    line: int
    account_code: str | None
    values: dict
    family_id: int | None = None  # an existing family the rows match
    guardians: dict[str, Person] = field(default_factory=dict)
    kids: dict[tuple, Kid] = field(default_factory=dict)
    quotients: dict[dt.date, tuple] = field(default_factory=dict)
    mandates: dict[str, dict] = field(default_factory=dict)


@dataclass
class Checked:
    families: list[FamilyPlan]
    errors: list[tuple[int, str]]  # (line, reasons) in line order
    lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Existing:
    """What the database already holds, loaded in a few queries."""

    codes: dict[str, int]
    names: dict[int, str]  # family id → folded name
    guardian_family: dict[str, int]  # e-mail → family id
    logins: set[str]
    named: set[tuple]  # (family id, first name, last name) folded
    children: set[tuple]  # (family id, first name folded, birth date)
    quotients: set[tuple]  # (family id, valid from)
    rums: dict[str, int]

    @classmethod
    def load(cls) -> Existing:
        guardians = db.session.execute(select(
            Guardian.family_id, Guardian.email, Guardian.first_name, Guardian.last_name)).all()
        users = db.session.execute(select(func.lower(User.username), func.lower(User.email)))
        kids = db.session.execute(select(family_child.c.family_id, Child.first_name,
                                         Child.birth_date).join(Child))
        families = db.session.execute(
            select(Family.id, Family.account_code, Family.name)).all()
        return cls(
            codes={c.upper(): i for i, c, _n in families},
            names={i: fold(n) for i, _c, n in families},
            guardian_family={e.lower(): f for f, e, _a, _b in guardians if e},
            logins={v for pair in users for v in pair if v},
            named={(f, fold(a), fold(b)) for f, _e, a, b in guardians},
            children={(f, fold(n), b) for f, n, b in kids},
            quotients=set(db.session.execute(
                select(QuotientFamilial.family_id, QuotientFamilial.valid_from)).all()),
            rums=dict(db.session.execute(select(SepaMandate.rum, SepaMandate.family_id)).all()),
        )


def lookups() -> Lookups:
    schools: dict[str, int] = {}
    for school_id, name in db.session.execute(select(School.id, School.name)):
        for key in school_keys(name):
            schools.setdefault(key, school_id)
    services: dict[str, int] = {}
    for service_id, code, name in db.session.execute(
            select(Service.id, Service.code, Service.name)):
        services[fold(code)] = service_id
        services.setdefault(fold(name), service_id)
    return Lookups(schools, services)


def columns_of(header: list, mapping: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Column of each mapped field; French messages for the mapped headers not found."""
    found = {fold(str(h or "")): n for n, h in enumerate(header) if str(h or "").strip()}
    columns, missing = {}, []
    for name, (label, _default, required) in FIELDS.items():
        wanted = (mapping.get(name) or "").strip()
        if wanted and fold(wanted) in found:
            columns[name] = found[fold(wanted)]
        elif required or wanted:
            missing.append(_("Colonne « %(column)s » (%(field)s) absente du fichier ; colonnes "
                             "trouvées : %(found)s.", column=wanted or "—", field=label,
                             found=", ".join(str(h) for h in header if h) or "—"))
    return columns, missing


class Checker:
    def __init__(self, existing: Existing):
        self.existing = existing
        self.plans: dict[str, FamilyPlan] = {}
        self.email_owner: dict[str, tuple[str, int]] = {}  # e-mail → (family key, line)
        self.rum_owner: dict[str, tuple[str, int]] = {}
        self.errors: list[tuple[int, str]] = []

    def add(self, row: Row) -> None:
        plan = self.plans.get(row.key)
        family_id = plan.family_id if plan else self._family_of(row)
        problems = self._conflicts(row, family_id)
        if problems:
            self.errors.append((row.line, " ; ".join(problems)))
            return
        if plan is None:
            plan = self.plans[row.key] = FamilyPlan(row.key, row.line, row.account_code,
                                                    row.family, family_id)
        self._merge(plan, row)

    def _family_of(self, row: Row) -> int | None:
        if row.account_code:
            return self.existing.codes.get(row.account_code.upper())
        family_id = self.existing.guardian_family.get(row.guardians[0].email or "")
        if family_id is not None and self.existing.names.get(family_id) == fold(
                row.family["name"]):
            return family_id
        return None

    def _conflicts(self, row: Row, family_id: int | None) -> list[str]:
        problems = []
        for person in row.guardians:
            email = person.email
            if not email:
                continue
            owner = self.email_owner.get(email)
            known = self.existing.guardian_family.get(email)
            if owner and owner[0] != row.key:
                problems.append(_("adresse électronique « %(email)s » en double : c'est celle "
                                  "d'un responsable d'un autre foyer (ligne %(line)s)",
                                  email=email, line=owner[1]))
            elif known is not None and known != family_id:
                problems.append(_("adresse électronique « %(email)s » déjà utilisée par un "
                                  "responsable d'un autre foyer", email=email))
            elif known is None and email in self.existing.logins:
                problems.append(_("adresse électronique « %(email)s » déjà utilisée par un "
                                  "autre compte", email=email))
        if row.mandate and row.mandate.get("rum"):
            rum = row.mandate["rum"]
            owner, known = self.rum_owner.get(rum), self.existing.rums.get(rum)
            if (owner and owner[0] != row.key) or (known is not None and known != family_id):
                problems.append(_("RUM « %(rum)s » déjà celle du mandat d'un autre foyer",
                                  rum=rum))
        return problems

    def _merge(self, plan: FamilyPlan, row: Row) -> None:
        for person in row.guardians:
            key = person.email or f"{fold(person.first_name)}|{fold(person.last_name)}"
            plan.guardians.setdefault(key, person)
            if person.email:
                self.email_owner.setdefault(person.email, (row.key, row.line))
        if row.kid:
            plan.kids.setdefault((fold(row.kid.first_name), row.kid.birth_date), row.kid)
        if row.qf:
            plan.quotients.setdefault(row.qf[1], row.qf)
        if row.mandate:
            plan.mandates.setdefault(row.mandate["rum"], row.mandate)
            self.rum_owner.setdefault(row.mandate["rum"], (row.key, row.line))


def check_rows(rows: list[list], mapping: Mapping[str, str],
               school_year_open: bool = True) -> Checked:
    """The dry run of a file's rows (header first). Never writes."""
    if len(rows) < 2:
        return Checked([], [(1, _("le fichier ne contient aucune ligne après les titres"))])
    if len(rows) > MAX_ROWS + 1:
        return Checked([], [(1, _("trop de lignes (%(max)s au plus)", max=MAX_ROWS))])
    columns, missing = columns_of(rows[0], mapping)
    if missing:
        return Checked([], [(1, message) for message in missing])
    reader, checker = LineReader(columns, lookups()), Checker(Existing.load())
    count = 0
    for line, values in enumerate(rows[1:], start=2):
        if not any(str(v if v is not None else "").strip() for v in values):
            continue
        count += 1
        row, problems = reader.read(line, list(values))
        if row is not None and row.kid and row.kid.service_ids and not school_year_open:
            problems = [_("inscriptions impossibles : aucune année scolaire en cours")]
            row = None
        if row is None:
            checker.errors.append((line, " ; ".join(problems)))
            continue
        checker.add(row)
    checker.errors.sort()
    return Checked(list(checker.plans.values()), checker.errors, count)


def would_create(checked: Checked, existing: Existing | None = None) -> dict[str, int]:
    """What the run would add (everything already there is matched, not created)."""
    existing = existing or Existing.load()
    counts = dict(families=0, guardians=0, children=0, quotients=0, mandates=0)
    for plan in checked.families:
        fid = plan.family_id
        counts["families"] += fid is None
        counts["guardians"] += sum(
            1 for key, p in plan.guardians.items()
            if fid is None or (p.email not in existing.guardian_family if p.email else
                               (fid, fold(p.first_name), fold(p.last_name))
                               not in existing.named))
        counts["children"] += sum(1 for (first, birth) in plan.kids
                                  if (fid, first, birth) not in existing.children)
        counts["quotients"] += sum(1 for start in plan.quotients
                                   if (fid, start) not in existing.quotients)
        counts["mandates"] += sum(1 for rum in plan.mandates if rum not in existing.rums)
    return counts
