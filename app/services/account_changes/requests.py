"""What a family asks staff to change (« Mon compte »), as commands taking typed values: a
child's health and diet (`Health`), an authorised person added (`Person`) or removed, a new
quotient familial with its CAF attestation. Each makes one `data_change` request holding the
old and the new values (JSON), decided in the request queue (`DATA_CHANGE_HANDLER`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...extensions import db
from ...models import AuthorizedPerson, Child, Diet, DocumentType, Request, RequestKind
from ...security.scope import owned
from .. import contact_format
from ..calendar import local_today
from ..command import BaseCommand
from ..documents import add_months, send_family_document
from ..errors import CommandError, ErrorCollector, transaction
from ..money import current_quotient

QF_TYPE_CODE = "attestation_qf"
PERSON_FIELDS = ("full_name", "relationship_label", "phone", "can_pick_up", "emergency_contact")


def _text(errors: ErrorCollector, name: str, value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > limit:
        errors.add(_("« %(field)s » est trop long (%(n)s caractères au plus).",
                     field=value[:30], n=limit), name)
    return value or None


def _child(family_id: int, child_id: int | None) -> Child:
    child = owned(Child, child_id, [family_id]) if child_id is not None else None
    if child is None:
        raise CommandError(_("Cet enfant n'est pas rattaché à votre famille."))
    return child


def _request(family_id: int, summary: str, old: dict, new: dict, user_id: int | None,
             child_id: int | None = None, document_id: int | None = None) -> Request:
    row = Request(
        family_id=family_id, child_id=child_id, kind=RequestKind.data_change,
        summary=summary[:255], old_value=json.dumps(old, ensure_ascii=False),
        new_value=json.dumps(new, ensure_ascii=False), document_id=document_id,
        created_by_id=user_id,
    )
    db.session.add(row)
    return row


@dataclass(frozen=True)
class Health:
    allergies: str | None = None
    has_pai: bool = False
    pai_details: str | None = None
    diet: str | None = None
    medical_notes: str | None = None


@dataclass
class RequestHealthChange(BaseCommand):
    family_id: int
    child_id: int | None
    health: Health
    user_id: int | None

    def validate(self) -> tuple[Child, dict]:
        child = _child(self.family_id, self.child_id)
        errors = ErrorCollector()
        diet = self.health.diet or Diet.standard
        if diet not in Diet.labels():
            errors.add(_("Choisissez un régime alimentaire de la liste."), "diet")
        wanted = {
            "allergies": _text(errors, "allergies", self.health.allergies, 1000),
            "has_pai": bool(self.health.has_pai),
            "pai_details": _text(errors, "pai_details", self.health.pai_details, 1000),
            "diet": diet,
            "medical_notes": _text(errors, "medical_notes", self.health.medical_notes, 1000),
        }
        errors.raise_if_any()
        changed = {k: v for k, v in wanted.items() if getattr(child, k) != v}
        if not changed:
            raise CommandError(_("Aucune modification : les informations sont déjà celles-ci."))
        return child, changed

    def run(self) -> Request:
        child, changed = self.validate()
        old = {k: getattr(child, k) for k in changed}
        with transaction():
            return _request(
                self.family_id, _("Santé et alimentation de %(child)s", child=child.first_name),
                {"target": "child", "id": child.id, "fields": old},
                {"target": "child", "id": child.id, "fields": changed}, self.user_id,
                child_id=child.id,
            )


@dataclass(frozen=True)
class Person:
    full_name: str | None = None
    relationship_label: str | None = None
    phone: str | None = None
    can_pick_up: bool = False
    emergency_contact: bool = False


@dataclass
class RequestPersonAdd(BaseCommand):
    family_id: int
    child_id: int | None
    person: Person
    user_id: int | None

    def validate(self) -> tuple[Child, dict]:
        child = _child(self.family_id, self.child_id)
        errors = ErrorCollector()
        fields = {
            "full_name": _text(errors, "full_name", self.person.full_name, 120),
            "relationship_label": _text(errors, "relationship_label",
                                        self.person.relationship_label, 40),
            "phone": _text(errors, "phone", self.person.phone, 20),
            "can_pick_up": bool(self.person.can_pick_up),
            "emergency_contact": bool(self.person.emergency_contact),
        }
        if not fields["full_name"] or not fields["phone"]:
            errors.add(_("Indiquez le nom et le téléphone de la personne."))
        elif problem := contact_format.phone_problem(fields["phone"]):
            errors.add(_("Le numéro « %(phone)s » n'est pas un numéro de téléphone valide.",
                         phone=fields["phone"]) + " " + problem, "phone")
        errors.raise_if_any()
        fields["phone"] = contact_format.format_phone(fields["phone"])
        return child, fields

    def run(self) -> Request:
        child, fields = self.validate()
        with transaction():
            return _request(
                self.family_id,
                _("Ajout de %(name)s aux personnes autorisées de %(child)s",
                  name=fields["full_name"], child=child.first_name),
                {"target": "person", "child_id": child.id, "fields": None},
                {"target": "person", "child_id": child.id, "fields": fields}, self.user_id,
                child_id=child.id,
            )


@dataclass
class RequestPersonRemove(BaseCommand):
    family_id: int
    person_id: int | None
    user_id: int | None

    def validate(self) -> tuple[AuthorizedPerson, Child]:
        person = (db.session.get(AuthorizedPerson, self.person_id)
                  if self.person_id is not None else None)
        if person is None:
            raise CommandError(_("Cette personne n'est pas rattachée à vos enfants."))
        return person, _child(self.family_id, person.child_id)

    def run(self) -> Request:
        person, child = self.validate()
        fields = {name: getattr(person, name) for name in PERSON_FIELDS}
        with transaction():
            return _request(
                self.family_id,
                _("Retrait de %(name)s des personnes autorisées de %(child)s",
                  name=person.full_name, child=child.first_name),
                {"target": "person", "id": person.id, "child_id": child.id, "fields": fields},
                {"target": "person", "id": person.id, "child_id": child.id, "fields": None},
                self.user_id, child_id=child.id,
            )


def qf_document_type() -> DocumentType:
    """The « attestation de quotient familial » type (created the first time it is needed)."""
    doc_type = db.session.query(DocumentType).filter_by(code=QF_TYPE_CODE).first()
    if doc_type is None:
        doc_type = DocumentType(code=QF_TYPE_CODE, label=str(_("Attestation de quotient "
                                "familial (CAF)")), validity_months=12, required=False)
        db.session.add(doc_type)
        db.session.flush()
    return doc_type


@dataclass
class RequestQuotientChange(BaseCommand):
    """A new QF from `valid_from` (default: today), with the CAF attestation (`upload`, a
    werkzeug FileStorage, required), for staff to check."""

    family_id: int
    value: int | None
    valid_from: dt.date | None
    upload: Any
    user_id: int | None
    today: dt.date | None = None

    def validate(self) -> tuple[dt.date, dt.date]:
        today = self.today or local_today()
        start = self.valid_from or today
        errors = ErrorCollector()
        if self.value is None or not 0 <= self.value <= 100_000:
            errors.add(_("Indiquez le quotient familial de votre attestation (un nombre)."),
                       "value")
        if abs((start - today).days) > 366:
            errors.add(_("La date de début de validité doit être à moins d'un an d'ici."),
                       "valid_from")
        errors.raise_if_any()
        return today, start

    def run(self) -> Request:
        today, start = self.validate()
        with transaction():
            document = send_family_document(self.family_id, qf_document_type().id, None,
                                            self.upload, self.user_id, make_request=False)
            current = current_quotient(self.family_id, today)
            end = add_months(start, 12) - dt.timedelta(days=1)
            old = {"value": current.value} if current else {"value": None}
            new = {"value": self.value, "valid_from": start.isoformat(),
                   "valid_to": end.isoformat()}
            return _request(
                self.family_id,
                _("Quotient familial : %(old)s → %(new)s", old=old["value"] or "—",
                  new=self.value),
                {"target": "quotient", "fields": old}, {"target": "quotient", "fields": new},
                self.user_id, document_id=document.id,
            )
