"""Writes the families described in app.demo.people: guardians with their logins, children,
pick-up persons, quotient familial history and yearly enrolments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app

from ..extensions import db
from ..models import (
    AuthorizedPerson,
    Child,
    Enrolment,
    EnrolmentState,
    Family,
    Guardian,
    QuotientFamilial,
)
from ..security.roles import PARENT
from .accounts import PARENT_PASSWORD, existing_logins, new_user
from .people import POSTAL_CODE, TOWN, ChildSpec, FamilySpec
from .town import Town


@dataclass
class Built:
    """A family written by this run, with what activity generation needs."""

    spec: FamilySpec
    family: Family
    children: dict[str, Child]  # child key → row
    users: list = field(default_factory=list)  # the guardians' logins


def _unique_login(login: str, index: int, taken: set[str]) -> str:
    if login in taken:
        login = f"{login}.{index}"
    taken.add(login)
    return login


def _family(spec: FamilySpec, taken: set[str], role) -> tuple[Family, list]:
    first = spec.guardians[0]
    family = Family(account_code=spec.account_code, name=spec.name, address=spec.address,
                    postal_code=POSTAL_CODE, city=TOWN, phone=first.phone)
    users = []
    for g in spec.guardians:
        login = _unique_login(g.login, spec.index, taken)
        email = f"{login}@example.org"
        user = new_user(login, g.first_name, g.last_name, email, role, PARENT_PASSWORD)
        users.append(user)
        family.guardians.append(Guardian(
            first_name=g.first_name, last_name=g.last_name, relationship_label=g.relationship,
            email=email, phone_mobile=g.phone, user=user))
    family.email = family.guardians[0].email
    for year, value in sorted(spec.qf.items()):
        family.quotients.append(QuotientFamilial(
            value=value, valid_from=dt.date(year, 1, 1), valid_to=dt.date(year, 12, 31),
            source=f"Attestation CAF du {dt.date(year, 1, 15):%d/%m/%Y}"))
    return family, users


def _child(spec: ChildSpec, town: Town) -> Child:
    child = Child(first_name=spec.first_name, last_name=spec.last_name,
                  birth_date=spec.birth_date, school=town.schools[spec.school],
                  class_name=spec.class_name, allergies=spec.allergies, has_pai=spec.has_pai,
                  pai_details=spec.pai_details, diet=spec.diet,
                  photo_consent=spec.photo_consent)
    for name, relationship, phone, emergency in spec.pickups:
        child.authorized_persons.append(AuthorizedPerson(
            full_name=name, relationship_label=relationship, phone=phone,
            emergency_contact=emergency))
    return child


def _enrolments(built: Built, town: Town) -> None:
    for key, plan in built.spec.plans.items():
        child = built.children[key]
        for code in plan:
            db.session.add(Enrolment(
                family=built.family, child=child, service=town.services[code],
                school=child.school, school_year=town.year, state=EnrolmentState.validated,
                start_date=town.year.start_date, end_date=town.year.end_date,
                comment="Inscription annuelle"))


def create_families(specs: list[FamilySpec], town: Town) -> list[Built]:
    """Create the families whose account code is not in the database yet."""
    existing = {row[0] for row in db.session.query(Family.account_code)}
    taken = existing_logins()
    role = current_app.appbuilder.sm.find_role(PARENT)
    children: dict[str, Child] = {}
    built: list[Built] = []
    for spec in specs:
        if spec.account_code in existing:
            continue
        family, users = _family(spec, taken, role)
        for child_spec in spec.children:
            if child_spec.key not in children:  # a shared child is written once
                children[child_spec.key] = _child(child_spec, town)
            family.children.append(children[child_spec.key])
        db.session.add(family)
        built.append(Built(spec, family, {c.key: children[c.key] for c in spec.children}, users))
    db.session.flush()
    for item in built:
        _enrolments(item, town)
    db.session.flush()
    return built
