"""One line of an import file → typed values and the French reasons it is refused for.
Only what the line says by itself is checked here; what needs the other lines or the
database (duplicates, existing accounts) is checked in `check`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..accounts import valid_email
from ..menus.catalog import fold
from ..payments.sepa import SepaError, clean_bic, clean_iban

_POSTCODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    relationship: str | None = None


@dataclass
class Kid:
    first_name: str
    last_name: str
    birth_date: dt.date
    school_id: int
    class_name: str | None
    service_ids: list[int] = field(default_factory=list)


@dataclass
class Row:
    line: int
    key: str  # the family's key within the file
    account_code: str | None
    family: dict[str, str | None]
    guardians: list[Person]
    kid: Kid | None = None
    qf: tuple[int, dt.date, dt.date] | None = None
    mandate: dict | None = None


@dataclass
class Lookups:
    """Reference data, loaded once for the whole file."""

    schools: dict[str, int]  # folded name → id (with and without « école »)
    services: dict[str, int]  # folded code and name → id


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def school_keys(name: str) -> list[str]:
    folded = fold(name)
    bare = re.sub(r"^(ecole|groupe scolaire)\s+", "", folded)
    return [folded, bare]


class LineReader:
    """Reads one line of the file through the mapping's columns."""

    def __init__(self, columns: dict[str, int], lookups: Lookups):
        self.columns, self.lookups = columns, lookups

    def read(self, line: int, values: list) -> tuple[Row | None, list[str]]:
        self.values, self.problems = values, []
        family = {k: self.text(k) for k in ("address", "postal_code", "city", "phone")}
        family["name"] = self.text("family_name")
        if not family["name"]:
            self.problems.append(_("nom du foyer manquant"))
        code = family["postal_code"]
        if code and not _POSTCODE.match(code.replace(" ", "")):
            self.problems.append(_("code postal « %(value)s » invalide (5 chiffres)",
                                   value=code))
        family["postal_code"] = code.replace(" ", "") if code else None
        guardians = [g for g in (self.person("g1", True), self.person("g2", False)) if g]
        kid, qf, mandate = self.kid(), self.quotient(), self.mandate(guardians)
        if self.problems:
            return None, self.problems
        account_code = self.text("account_code")
        first = guardians[0]
        key = (f"code:{account_code.upper()}" if account_code
               else f"{fold(family['name'])}|{first.email or ''}|{fold(first.first_name)}|"
                    f"{fold(first.last_name)}")
        return Row(line, key, account_code, family, guardians, kid, qf, mandate), []

    def raw(self, name: str):
        n = self.columns.get(name)
        return self.values[n] if n is not None and n < len(self.values) else None

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value if value is not None else "").split())
        return text or None

    def date(self, name: str, label: str) -> dt.date | None:
        value = self.raw(name)
        day = parse_date(value)
        if day is None:
            self.problems.append(_("%(what)s « %(value)s » invalide (jj/mm/aaaa)", what=label,
                                   value=self.text(name) or ""))
        return day

    def person(self, prefix: str, required: bool) -> Person | None:
        first, last = self.text(f"{prefix}_first_name"), self.text(f"{prefix}_last_name")
        email = (self.text(f"{prefix}_email") or "").lower() or None
        number = "1" if prefix == "g1" else "2"
        if not (first or last or email):
            if required:
                self.problems.append(_("prénom et nom du responsable %(n)s manquants",
                                       n=number))
            return None
        if not (first and last):
            self.problems.append(_("prénom et nom du responsable %(n)s manquants", n=number))
        if email and not valid_email(email):
            self.problems.append(_("adresse électronique « %(value)s » invalide", value=email))
        return Person(first or "", last or "", email, self.text(f"{prefix}_phone"),
                      self.text(f"{prefix}_relationship") if prefix == "g1" else None)

    def kid(self) -> Kid | None:
        first, last = self.text("child_first_name"), self.text("child_last_name")
        if not (first or last or self.raw("child_birth_date") or self.text("school")):
            return None
        if not (first and last):
            self.problems.append(_("prénom et nom de l'enfant manquants"))
        birth = self.date("child_birth_date", _("date de naissance"))
        school = self.text("school")
        school_id = next((self.lookups.schools[k] for k in school_keys(school or "")
                          if k in self.lookups.schools), None)
        if school_id is None:
            self.problems.append(_("école « %(value)s » inconnue", value=school or ""))
        services = []
        for code in filter(None, (c.strip() for c in (self.text("services") or "").split(","))):
            service_id = self.lookups.services.get(fold(code))
            if service_id is None:
                self.problems.append(_("service « %(value)s » inconnu", value=code))
            services.append(service_id)
        if self.problems:
            return None
        return Kid(first, last, birth, school_id, self.text("class_name"), services)

    def quotient(self) -> tuple[int, dt.date, dt.date] | None:
        text = self.text("qf")
        if not text:
            return None
        if not text.isdigit():
            self.problems.append(_("quotient familial « %(value)s » invalide (nombre entier)",
                                   value=text))
        start = self.date("qf_from", _("début de validité du QF"))
        end = self.date("qf_to", _("fin de validité du QF"))
        if start and end and end < start:
            self.problems.append(_("fin de validité du QF avant son début"))
        return (int(text), start, end) if text.isdigit() and start and end else None

    def mandate(self, guardians: list[Person]) -> dict | None:
        iban = self.text("iban")
        if not iban:
            return None
        values = {"rum": self.text("rum")}
        for name, clean in (("iban", clean_iban), ("bic", clean_bic)):
            try:
                values[name] = clean(self.text(name))
            except SepaError as refused:
                self.problems.append(str(refused).rstrip("."))
        if not values["rum"]:
            self.problems.append(_("RUM du mandat SEPA manquante"))
        values["signed_on"] = self.date("mandate_signed_on", _("date de signature du mandat"))
        holder = guardians[0] if guardians else None
        values["holder_name"] = f"{holder.first_name} {holder.last_name}" if holder else ""
        return values
