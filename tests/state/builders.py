"""Families whose guardians are the stand-ins' people (app/devservers/identities.py)."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import Family, Guardian, QfConsent
from app.security.roles import PARENT
from tests import factories as f
from tests.billing.builders import town

_count = iter(range(1, 10_000))


def guardian_family(first: str, last: str, born: dt.date | None, username: str,
                    school=None) -> Family:
    """A family with one child at `school` and one guardian with a parent login."""
    school = school or town().school
    n = next(_count)
    fam = f.family(f"{last}{n}", school, children=1)
    fam.name = f"Famille {last}"
    login = f.user(username, PARENT, email=f"{username}@example.org")
    db.session.add(Guardian(family=fam, user_id=login.id, first_name=first, last_name=last,
                            birth_date=born, email=login.email))
    db.session.commit()
    return fam


def claire(school=None, born: dt.date | None = dt.date(1986, 4, 12)) -> Family:
    return guardian_family("Claire", "Martin", born, "claire.martin", school)


CLAIRE_CONSENT = {"accept": "oui", "birth_name": "Martin", "first_names": "Claire Anne",
                  "birth_date": "12/04/1986", "sex": "F", "birth_place_cog": "35288",
                  "birth_country_cog": "99100"}


def consent(fam: Family, birth_name: str, birth_date: dt.date, sex: str = "F") -> QfConsent:
    """A consent recorded directly (as the parent's form does), for batch data."""
    guardian = fam.guardians[0] if fam.guardians else None
    row = QfConsent(family_id=fam.id, guardian_id=guardian.id if guardian else None,
                    purpose="Accord de test", birth_name=birth_name, first_names="PRENOM",
                    birth_date=birth_date, sex=sex, birth_place_cog="35288",
                    birth_country_cog="99100")
    db.session.add(row)
    db.session.commit()
    return row
