"""Issued documents' PDFs, rendered once: an invoice, a credit note or an attestation fiscale
is rendered when it is issued (by Celery workers, a task per chunk: `queue_pdfs`), stored as
a file under PORTAL_UPLOAD_DIR/pdf/<kind>/ with its SHA-256 in `issued_pdf`, and every
download serves those bytes. A document whose PDF is not stored yet (issued before this
existed, or its chunk still queued) is rendered by its first download, then stored.

The store knows nothing of the documents: each caller gives the renderer of its own kind.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import IssuedPdf
from ..models.base import utcnow

log = logging.getLogger(__name__)

KINDS = ("invoice", "credit_note", "tax_certificate")


class StoredPdfError(RuntimeError):
    """A stored file is missing or does not match its recorded hash."""


def _root() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_DIR"]) / "pdf"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write(relative: str, content: bytes) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    path = _root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def record_of(kind: str, ref_id: int) -> IssuedPdf | None:
    return db.session.scalars(
        select(IssuedPdf).where(IssuedPdf.kind == kind, IssuedPdf.ref_id == ref_id)
    ).first()


def read(record: IssuedPdf) -> bytes:
    """The stored bytes, checked against the hash recorded at issue."""
    path = _root() / record.path
    try:
        content = path.read_bytes()
    except OSError as missing:
        raise StoredPdfError(f"PDF {record.kind} {record.ref_id} introuvable") from missing
    if sha256(content) != record.sha256:
        raise StoredPdfError(f"PDF {record.kind} {record.ref_id} altéré (SHA-256)")
    return content


def store(kind: str, ref_id: int, content: bytes, replace: bool = False) -> IssuedPdf:
    """Write the file and its record (the caller commits). `replace`: a document issued
    again (a refreshed attestation) gets its new PDF; otherwise the first one stays."""
    if kind not in KINDS:
        raise ValueError(kind)
    record = record_of(kind, ref_id)
    if record is not None and not replace:
        return record
    relative = f"{kind}/{ref_id // 1000:04d}/{ref_id}.pdf"
    _write(relative, content)
    record = record or IssuedPdf(kind=kind, ref_id=ref_id)
    record.path, record.sha256, record.size = relative, sha256(content), len(content)
    record.rendered_at = utcnow()
    db.session.add(record)
    return record


def stored_or_render(kind: str, ref_id: int, render: Callable[[], bytes]) -> bytes:
    """The stored PDF; rendered and stored now when it is not yet (committed at once: a
    download is the document's first reading, the next one gets the same bytes)."""
    record = record_of(kind, ref_id)
    if record is not None:
        try:
            return read(record)
        except StoredPdfError:
            log.exception("PDF stocké illisible : rendu à nouveau")
            db.session.delete(record)
            db.session.flush()
    content = render()
    try:
        with db.session.begin_nested():
            store(kind, ref_id, content)
        db.session.commit()
    except IntegrityError:  # another request stored it first: serve that one
        db.session.rollback()
        record = record_of(kind, ref_id)
        if record is not None:
            return read(record)
    return content


def render_missing(kind: str, ids: list[int], load: Callable[[list[int]], list],
                   render: Callable[[object], bytes]) -> int:
    """Render and store the PDFs of `ids` not stored yet (a chunk of a batch); one commit.
    Returns how many were rendered. Idempotent: a chunk run twice renders nothing more."""
    done = set(db.session.scalars(
        select(IssuedPdf.ref_id).where(IssuedPdf.kind == kind, IssuedPdf.ref_id.in_(ids))))
    todo = [i for i in ids if i not in done]
    if not todo:
        return 0
    for document in load(todo):
        store(kind, document.id, render(document))
    db.session.commit()
    return len(todo)


def chunks(ids: list[int], size: int) -> list[list[int]]:
    size = max(1, size)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def identities(objects) -> list[int]:
    """Ids of committed objects without reloading them (no SQL after a commit)."""
    return [state.identity[0] for state in map(inspect, objects) if state.identity]
