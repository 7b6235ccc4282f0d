"""« Mon compte »: what a family changes itself, and what it asks staff to change.

Contact details (the family's address, phones and email, each guardian's phones and email)
change at once. Sensitive data goes to staff as a `data_change` request holding the old and
the new values (JSON), decided in the request queue: the quotient familial (with its CAF
attestation), a child's health and diet (allergies, PAI), the authorised persons.

The JSON of a request: {"target": "child" | "quotient" | "person", "id": …, "child_id": …,
"fields": {…} or null}; `old_value` holds only the fields that change. The `data_change`
handler (`DATA_CHANGE_HANDLER`, registered in app.services.request_handlers) applies
`new_value` on validation, provided the data did not change since the request.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from flask_babel import gettext as _

from ...extensions import db
from ...models import (
    AuthorizedPerson,
    Child,
    Diet,
    DocumentType,
    Family,
    FamilyDocument,
    Guardian,
    QuotientFamilial,
    Request,
    RequestKind,
)
from ...security.scope import owned
from .. import contact_format
from ..accounts import valid_email
from ..calendar import local_today
from ..documents import accept_document, add_months, reject_document, send_family_document
from ..money import current_quotient
from ..reservations.decide import Handler
from ..reservations.errors import CommandError
from . import new_child
from .queries import ChangeLine, describe_change, request_values  # noqa: F401  (re-exported)

QF_TYPE_CODE = "attestation_qf"
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$")
POSTAL_CODE = re.compile(r"^[0-9A-Za-z \-]{2,10}$")

FAMILY_CONTACT = ("address", "postal_code", "city", "phone", "email")
GUARDIAN_CONTACT = ("phone_mobile", "phone_work", "email")
HEALTH_FIELDS = ("allergies", "has_pai", "pai_details", "diet", "medical_notes")
PERSON_FIELDS = ("full_name", "relationship_label", "phone", "can_pick_up", "emergency_contact")

# --- immediate changes --------------------------------------------------------------------


def _text(form, name: str, limit: int) -> str | None:
    value = " ".join((form.get(name) or "").split())
    if len(value) > limit:
        raise CommandError(_("« %(field)s » est trop long (%(n)s caractères au plus).",
                             field=value[:30], n=limit))
    return value or None


def _check_phone(value: str | None) -> None:
    """French numbers only (app.services.contact_format), stored as shown: 02 99 00 11 22."""
    problem = contact_format.phone_problem(value)
    if problem:
        raise CommandError(_("Le numéro « %(phone)s » n'est pas un numéro de téléphone valide.",
                             phone=value) + " " + problem)


def _formatted(values: dict, *phones: str) -> dict:
    for name in phones:
        values[name] = contact_format.format_phone(values.get(name)) or None
    return values


def _check_email(value: str | None, required: bool = False) -> None:
    if (value or required) and not valid_email(value):
        raise CommandError(_("L'adresse « %(email)s » n'est pas une adresse électronique "
                             "valide.", email=value or ""))


def update_family_contact(family_id: int, form) -> list[str]:
    """Set the family's contact details at once. Returns the changed fields. Commits."""
    family = db.session.get(Family, family_id)
    values = {
        "address": _text(form, "address", 255),
        "postal_code": _text(form, "postal_code", 10),
        "city": _text(form, "city", 80),
        "phone": _text(form, "phone", 20),
        "email": (_text(form, "email", 120) or "").lower() or None,
    }
    problem = contact_format.postcode_problem(values["postal_code"])
    if problem:
        raise CommandError(_("Le code postal « %(code)s » n'est pas valide.",
                             code=values["postal_code"]) + " " + problem)
    values["postal_code"] = contact_format.normalise_postcode(values["postal_code"]) or None
    _check_phone(values["phone"])
    _check_email(values["email"])
    return _apply(family, _formatted(values, "phone"))


def update_guardian_contact(family_id: int, guardian_id, form,
                            acting_user_id: int | None = None,
                            link_for=None) -> list[str]:
    """A guardian's phones and email, at once. A login's address is another matter: it
    receives the password links, so only its owner may change it, and only once the new
    address is confirmed by the link mailed to it (the current address is told): then the
    returned list holds "email_pending" and the email is unchanged for now. Commits."""
    guardian = (
        db.session.query(Guardian)
        .filter(Guardian.family_id == family_id, Guardian.id == _int(guardian_id))
        .first()
    )
    if guardian is None:
        raise CommandError(_("Ce responsable légal n'est pas rattaché à votre famille."))
    values = {
        "phone_mobile": _text(form, "phone_mobile", 20),
        "phone_work": _text(form, "phone_work", 20),
        "email": (_text(form, "email", 120) or "").lower() or None,
    }
    _check_phone(values["phone_mobile"])
    _check_phone(values["phone_work"])
    _formatted(values, "phone_mobile", "phone_work")
    _check_email(values["email"], required=guardian.user_id is not None)
    request_change = None
    if guardian.user is not None and values["email"] != (guardian.user.email or "").lower():
        from ..login_commands import RequestLoginEmailChange

        request_change = RequestLoginEmailChange(guardian.user, acting_user_id,
                                                 values["email"], link_for)
        request_change.validate()
        values["email"] = guardian.email  # changes when the new address is confirmed
    changed = _apply(guardian, values)
    if request_change is not None:
        request_change.run()
        changed.append("email_pending")
    return changed


def _apply(row, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    db.session.commit()
    return changed


def set_mail_preferences(family_id: int, kinds_on: list[str], all_kinds: list[str]) -> None:
    """Which alerts also come by mail: every kind not ticked is turned off. Commits."""
    family = db.session.get(Family, family_id)
    off = sorted(kind for kind in all_kinds if kind not in kinds_on)
    family.mail_alerts_off = ",".join(off) or None
    db.session.commit()


# --- requests to staff --------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(form, name: str) -> bool:
    return (form.get(name) or "") in ("1", "on", "true", "oui")


def _child(family_id: int, child_id) -> Child:
    child = owned(Child, child_id, [family_id])
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
    db.session.commit()
    return row


def request_health_change(family_id: int, child_id, form, user_id: int | None) -> Request:
    child = _child(family_id, child_id)
    diet = form.get("diet") or Diet.standard
    if diet not in Diet.labels():
        raise CommandError(_("Choisissez un régime alimentaire de la liste."))
    wanted = {
        "allergies": _text(form, "allergies", 1000),
        "has_pai": _bool(form, "has_pai"),
        "pai_details": _text(form, "pai_details", 1000),
        "diet": diet,
        "medical_notes": _text(form, "medical_notes", 1000),
    }
    changed = {k: v for k, v in wanted.items() if getattr(child, k) != v}
    if not changed:
        raise CommandError(_("Aucune modification : les informations sont déjà celles-ci."))
    old = {k: getattr(child, k) for k in changed}
    return _request(
        family_id, _("Santé et alimentation de %(child)s", child=child.first_name),
        {"target": "child", "id": child.id, "fields": old},
        {"target": "child", "id": child.id, "fields": changed}, user_id, child_id=child.id,
    )


def request_person_add(family_id: int, child_id, form, user_id: int | None) -> Request:
    child = _child(family_id, child_id)
    fields = {
        "full_name": _text(form, "full_name", 120),
        "relationship_label": _text(form, "relationship_label", 40),
        "phone": _text(form, "phone", 20),
        "can_pick_up": _bool(form, "can_pick_up"),
        "emergency_contact": _bool(form, "emergency_contact"),
    }
    if not fields["full_name"] or not fields["phone"]:
        raise CommandError(_("Indiquez le nom et le téléphone de la personne."))
    _check_phone(fields["phone"])
    _formatted(fields, "phone")
    return _request(
        family_id,
        _("Ajout de %(name)s aux personnes autorisées de %(child)s",
          name=fields["full_name"], child=child.first_name),
        {"target": "person", "child_id": child.id, "fields": None},
        {"target": "person", "child_id": child.id, "fields": fields}, user_id,
        child_id=child.id,
    )


def request_person_remove(family_id: int, person_id, user_id: int | None) -> Request:
    person = db.session.get(AuthorizedPerson, _int(person_id)) if _int(person_id) else None
    if person is None:
        raise CommandError(_("Cette personne n'est pas rattachée à vos enfants."))
    child = _child(family_id, person.child_id)
    fields = {name: getattr(person, name) for name in PERSON_FIELDS}
    return _request(
        family_id,
        _("Retrait de %(name)s des personnes autorisées de %(child)s",
          name=person.full_name, child=child.first_name),
        {"target": "person", "id": person.id, "child_id": child.id, "fields": fields},
        {"target": "person", "id": person.id, "child_id": child.id, "fields": None}, user_id,
        child_id=child.id,
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


def request_quotient_change(family_id: int, form, upload, user_id: int | None,
                            today: dt.date | None = None) -> Request:
    """A new QF, with the CAF attestation (required), for staff to check. Commits."""
    today = today or local_today()
    value = _int((form.get("value") or "").strip())
    if value is None or not 0 <= value <= 100_000:
        raise CommandError(_("Indiquez le quotient familial de votre attestation (un nombre)."))
    try:
        start = dt.date.fromisoformat(form.get("valid_from") or today.isoformat())
    except ValueError:
        raise CommandError(_("La date de début de validité n'est pas valide.")) from None
    if abs((start - today).days) > 366:
        raise CommandError(_("La date de début de validité doit être à moins d'un an d'ici."))
    doc_type = qf_document_type()
    document = send_family_document(family_id, doc_type.id, None, upload, user_id,
                                    make_request=False)
    current = current_quotient(family_id, today)
    end = add_months(start, 12) - dt.timedelta(days=1)
    old = {"value": current.value} if current else {"value": None}
    new = {"value": value, "valid_from": start.isoformat(), "valid_to": end.isoformat()}
    return _request(
        family_id,
        _("Quotient familial : %(old)s → %(new)s", old=old["value"] or "—", new=value),
        {"target": "quotient", "fields": old}, {"target": "quotient", "fields": new},
        user_id, document_id=document.id,
    )


# --- the queue's handler --------------------------------------------------------------------


def _check(request: Request) -> str | None:
    old, new = request_values(request)
    target = new.get("target")
    if target == new_child.TARGET:
        return new_child.check(request, new.get("fields") or {})
    if target == "child":
        child = db.session.get(Child, new.get("id"))
        if child is None:
            return _("l'enfant n'existe plus")
        fields = new.get("fields") or {}
        stale = [k for k, v in (old.get("fields") or {}).items()
                 if getattr(child, k) not in (v, fields.get(k))]
        if stale:
            return _("les données ont été modifiées depuis la demande : refusez-la, la famille "
                     "pourra la refaire")
    elif target == "person":
        if new.get("fields") is None:
            return None  # removing a person already gone is harmless
        name = new["fields"]["full_name"]
        taken = db.session.query(AuthorizedPerson.id).filter_by(
            child_id=new.get("child_id"), full_name=name).first()
        if taken:
            return _("%(name)s est déjà une personne autorisée de cet enfant", name=name)
    elif target != "quotient":
        return _("demande illisible")
    return None


def _validate(request: Request) -> None:
    _old, new = request_values(request)
    fields = new.get("fields")
    if new["target"] == new_child.TARGET:
        new_child.apply(request, fields)
    elif new["target"] == "child":
        child = db.session.get(Child, new["id"])
        for name, value in fields.items():
            setattr(child, name, value)
    elif new["target"] == "person":
        if fields is None:
            person = db.session.get(AuthorizedPerson, new["id"])
            if person is not None:
                db.session.delete(person)
        else:
            db.session.add(AuthorizedPerson(child_id=new["child_id"], **fields))
    else:
        _apply_quotient(request, fields)


def _apply_quotient(request: Request, fields: dict) -> None:
    """The new QF starts on its date; an older one still open then ends the day before."""
    start = dt.date.fromisoformat(fields["valid_from"])
    end = dt.date.fromisoformat(fields["valid_to"])
    for previous in db.session.query(QuotientFamilial).filter(
        QuotientFamilial.family_id == request.family_id,
        QuotientFamilial.valid_from < start, QuotientFamilial.valid_to >= start,
    ):
        previous.valid_to = start - dt.timedelta(days=1)
    document: FamilyDocument | None = request.document
    source = _("Attestation transmise le %(date)s",
               date=(document.uploaded_at if document else request.created_at)
               .strftime("%d/%m/%Y"))
    db.session.add(QuotientFamilial(family_id=request.family_id, value=int(fields["value"]),
                                    valid_from=start, valid_to=end, source=source[:120]))
    if document is not None:
        accept_document(document)


def _refuse(request: Request) -> None:
    if request.document is not None:
        reject_document(request.document, request.reason)


DATA_CHANGE_HANDLER = Handler(validate=_validate, refuse=_refuse, check=_check)
