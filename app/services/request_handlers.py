"""What validating or refusing each kind of family request does: every kind of the
request queue gets its handler here, in one visible place (called by `create_app`).

The booking and enrolment kinds are the reservations' own (app.services.reservations.decide);
a data change (app.services.account_changes), a document (app.services.documents) and a
declared absence (app.services.absences) add theirs. A kind without a handler cannot be
decided (the queue refuses it).
"""

from __future__ import annotations

from ..models import RequestKind
from .absences import ABSENCE_HANDLER
from .account_changes import DATA_CHANGE_HANDLER
from .documents import DOCUMENT_HANDLER
from .reservations.decide import HANDLERS


def register_request_handlers() -> None:
    HANDLERS[RequestKind.data_change] = DATA_CHANGE_HANDLER
    HANDLERS[RequestKind.document] = DOCUMENT_HANDLER
    HANDLERS[RequestKind.absence] = ABSENCE_HANDLER
