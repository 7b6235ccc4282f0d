"""« Mon compte »: what a family changes itself, and what it asks staff to change.

Contact details (the family's address, phones and email, each guardian's phones and email)
and the mail preferences change at once (`contact.py`: `UpdateFamilyContact`,
`UpdateGuardianContact`, `SetMailPreferences`). Sensitive data goes to staff as a
`data_change` request (`requests.py`: `RequestHealthChange`, `RequestPersonAdd`,
`RequestPersonRemove`, `RequestQuotientChange`) holding the old and the new values (JSON),
decided in the request queue: the quotient familial (with its CAF attestation), a child's
health and diet (allergies, PAI), the authorised persons.

The JSON of a request: {"target": "child" | "quotient" | "person", "id": …, "child_id": …,
"fields": {…} or null}; `old_value` holds only the fields that change. The `data_change`
handler (`DATA_CHANGE_HANDLER`, registered in app.services.request_handlers) applies
`new_value` on validation, provided the data did not change since the request.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...extensions import db
from ...models import AuthorizedPerson, Child, FamilyDocument, QuotientFamilial, Request
from ..documents import accept_document, reject_document
from ..reservations.decide import Handler
from . import new_child
from .queries import request_values

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
