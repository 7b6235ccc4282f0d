"""What a request of the staff queue says, in French, for the person deciding it
(read-only): the labelled old → new values of a data change, the family's comment (an
enrolment, a declared absence), the file sent with it (a document, a QF attestation) and
whether the page can show that file (PDF, image) beside the decision."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..models import FamilyDocument, Request, RequestKind
from .absences import reason_text
from .account_changes.queries import ChangeLine, describe_change

PREVIEW_TYPES = {
    "application/pdf": "pdf",
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
}


def preview_kind(document: FamilyDocument | None) -> str | None:
    """"pdf", "image", or None when the browser cannot show the file in the page."""
    if document is None:
        return None
    return PREVIEW_TYPES.get((document.content_type or "").split(";")[0].strip().lower())


@dataclass(frozen=True)
class RequestDetails:
    changes: list[ChangeLine] = field(default_factory=list)
    comment: str | None = None
    document: FamilyDocument | None = None
    preview: str | None = None


def _comment(request: Request) -> str | None:
    if request.kind == RequestKind.enrolment and request.enrolment is not None:
        return (request.enrolment.comment or "").strip() or None
    if request.kind == RequestKind.absence:
        return reason_text(request) or None
    try:
        value = json.loads(request.new_value or "{}")
    except ValueError:
        return None
    comment = value.get("comment") if isinstance(value, dict) else None
    return str(comment).strip() or None if comment else None


def request_details(request: Request) -> RequestDetails:
    """Everything the decision page shows beside the request's summary."""
    document = request.document
    return RequestDetails(
        changes=describe_change(request),
        comment=_comment(request),
        document=document,
        preview=preview_kind(document),
    )
