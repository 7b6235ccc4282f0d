"""Documents sent by families and published by the structure: storage, review, what is missing.

Files live in PORTAL_UPLOAD_DIR (outside static/) under random names; a file is written only
after every check passed (app.services.upload_checks) and is served only through
`app.views.downloads.file_response` (as an attachment, nosniff), by views that checked who
may see it; `stored_path` finds it.

A family's document is a request (kind `document`) that staff decide in the request queue
or on the review page: accepting sets its validity, refusing gives the family the reason
(`DOCUMENT_HANDLER`, registered with every other kind in app.services.request_handlers).
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import (
    Child,
    DocumentState,
    DocumentType,
    FamilyDocument,
    PublishedDocument,
    Request,
    RequestKind,
    RequestState,
)
from ...models.base import utcnow
from ...security.scope import owned
from ..calendar import local_today
from ..errors import CommandError
from ..reservations.decide import Handler
from ..upload_active import UploadRefused
from ..upload_checks import CheckedFile, check_upload

__all__ = [
    "stored_path",
    "publish_document",
    "send_family_document",
]

#: Categories of the structure's documents (same codes as the staff's list).
CATEGORIES = {
    "menu": _l("Menus"),
    "tarifs": _l("Tarifs"),
    "reglement": _l("Règlement intérieur"),
    "autre": _l("Autres documents"),
}
_STORED_NAME = re.compile(r"^[0-9a-f]{48}$")
FAMILY_FOLDER, PUBLISHED_FOLDER = "familles", "publies"


# --- storage ---------------------------------------------------------------------------------


def _folder(kind: str) -> Path:
    path = Path(current_app.config["PORTAL_UPLOAD_DIR"]) / kind
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    return path


def store(checked: CheckedFile, kind: str) -> str:
    """Write the file under a new random name (never reused, never derived from the upload)."""
    name = secrets.token_hex(24)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(_folder(kind) / name, flags, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(checked.data)
    return name


def _path(kind: str, stored_name: str) -> Path | None:
    if not _STORED_NAME.match(stored_name or ""):
        return None  # also rules out any path trick
    path = Path(current_app.config["PORTAL_UPLOAD_DIR"]) / kind / stored_name
    return path if path.is_file() else None


def _discard(kind: str, stored_name: str) -> None:
    path = _path(kind, stored_name)
    if path is not None:
        path.unlink(missing_ok=True)


def stored_path(document: FamilyDocument | PublishedDocument) -> Path | None:
    """Where the document's file is; None when it is missing."""
    kind = FAMILY_FOLDER if isinstance(document, FamilyDocument) else PUBLISHED_FOLDER
    return _path(kind, document.stored_name)


# --- a family sends a document --------------------------------------------------------------


def send_family_document(family_id: int, type_id, child_id, upload, user_id: int | None,
                         make_request: bool = True) -> FamilyDocument:
    """Check and store a family's document, and ask staff to check it (a `document`
    request). `upload`: a werkzeug FileStorage. Raises CommandError, with nothing stored."""
    doc_type = db.session.get(DocumentType, _int(type_id)) if _int(type_id) else None
    if doc_type is None:
        raise CommandError(_("Choisissez le type de document."))
    child = _family_child(family_id, child_id)
    if upload is None or not getattr(upload, "filename", ""):
        raise CommandError(_("Choisissez un fichier à envoyer."))
    try:
        checked = check_upload(upload.filename, upload.stream)
    except UploadRefused as refused:
        raise CommandError(refused.message) from None
    stored = store(checked, FAMILY_FOLDER)
    try:
        document = FamilyDocument(
            family_id=family_id, child_id=child.id if child else None, document_type=doc_type,
            original_filename=checked.filename, stored_name=stored,
            content_type=checked.content_type, size=checked.size, uploaded_by_id=user_id,
            state=DocumentState.pending,
        )
        db.session.add(document)
        db.session.flush()
        if make_request:
            db.session.add(Request(
                family_id=family_id, child_id=document.child_id, kind=RequestKind.document,
                summary=request_summary(document), document_id=document.id, created_by_id=user_id,
            ))
            db.session.flush()
    except Exception:
        db.session.rollback()
        _discard(FAMILY_FOLDER, stored)
        raise
    return document


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _family_child(family_id: int, child_id) -> Child | None:
    """The child, if given, must be one of the family's."""
    if child_id in (None, ""):
        return None
    child = owned(Child, child_id, [family_id])
    if child is None:
        raise CommandError(_("Cet enfant n'est pas rattaché à votre famille."))
    return child


def request_summary(document: FamilyDocument) -> str:
    text = f"{document.document_type.label} : {document.original_filename}"
    if document.child_id:
        child = db.session.get(Child, document.child_id)
        text += f" ({child.first_name})"
    return text[:255]


# --- staff review ------------------------------------------------------------------------------


def default_validity(document: FamilyDocument, start: dt.date) -> dt.date | None:
    """Last day of validity: `validity_months` after `start`, the day before."""
    months = document.document_type.validity_months
    if not months:
        return None
    return add_months(start, months) - dt.timedelta(days=1)


def add_months(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def accept_document(document: FamilyDocument, reviewer_id: int | None = None) -> None:
    today = local_today()
    document.state = DocumentState.accepted
    document.reason = None
    document.valid_from = document.valid_from or today
    document.valid_until = document.valid_until or default_validity(document, document.valid_from)
    _reviewed(document, reviewer_id)


def reject_document(document: FamilyDocument, reason: str | None,
                    reviewer_id: int | None = None) -> None:
    document.state = DocumentState.rejected
    document.reason = reason
    _reviewed(document, reviewer_id)


def _reviewed(document: FamilyDocument, reviewer_id: int | None) -> None:
    document.reviewed_at = utcnow()
    if reviewer_id is not None:
        document.reviewed_by_id = reviewer_id


def pending_request(document: FamilyDocument) -> Request | None:
    return (
        db.session.query(Request)
        .filter(Request.document_id == document.id, Request.state == RequestState.pending)
        .order_by(Request.id)
        .first()
    )


def _check_pending(request: Request) -> str | None:
    document = request.document
    if document is None:
        return _("le document a été supprimé")
    if document.state != DocumentState.pending:
        return _("le document a déjà été vérifié")
    return None


def _decider(request: Request) -> int | None:
    """The staff member deciding the request (set by DecideRequests)."""
    return getattr(request, "deciding_staff_id", None)


DOCUMENT_HANDLER = Handler(
    validate=lambda request: accept_document(request.document, _decider(request)),
    refuse=lambda request: reject_document(request.document, request.reason,
                                           _decider(request)),
    check=_check_pending,
)


# --- documents published by the structure ----------------------------------------------------


def publish_document(title: str, category: str, school_id, upload, published_on: dt.date,
                     unpublished_on: dt.date | None, user_id: int | None) -> PublishedDocument:
    """Check, store and publish a document (menu, tarifs, règlement). Not committed."""
    if upload is None or not getattr(upload, "filename", ""):
        raise CommandError(_("Choisissez un fichier à publier."))
    try:
        checked = check_upload(upload.filename, upload.stream)
    except UploadRefused as refused:
        raise CommandError(refused.message) from None
    stored = store(checked, PUBLISHED_FOLDER)
    document = PublishedDocument(
        title=title, category=category, school_id=_int(school_id),
        original_filename=checked.filename, stored_name=stored,
        content_type=checked.content_type, size=checked.size, published_on=published_on,
        unpublished_on=unpublished_on, created_by_id=user_id,
    )
    db.session.add(document)
    try:
        db.session.flush()
    except Exception:
        db.session.rollback()
        _discard(PUBLISHED_FOLDER, stored)
        raise
    return document
