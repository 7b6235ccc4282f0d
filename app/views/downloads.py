"""A stored document as a download (family documents, the structure's publications), for
views that checked who may see it: an attachment, never rendered by the browser."""

from __future__ import annotations

from flask import Response, send_file

from ..models import FamilyDocument, PublishedDocument
from ..services.documents import stored_path


def attachment(path, filename: str, mimetype: str) -> Response:
    """A stored file as a download: nosniff, sandboxed, never cached."""
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def file_response(document: FamilyDocument | PublishedDocument) -> Response | None:
    """The document as a download; None when its file is missing."""
    path = stored_path(document)
    if path is None:
        return None
    return attachment(path, document.original_filename, document.content_type)


def inline_response(document: FamilyDocument) -> Response | None:
    """A PDF or an image shown inside a staff page (an <iframe>, an <img> of the same
    origin): `Content-Disposition: inline`, its own type, framable by the portal only,
    running nothing (the upload checks refused active content). None when it is missing."""
    path = stored_path(document)
    if path is None:
        return None
    response = send_file(path, mimetype=document.content_type, as_attachment=False,
                         download_name=document.original_filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(content: bytes, filename: str, inline: bool = False) -> Response:
    """A PDF made by a service (invoice, attestation), for a route that checked who may
    read it; never cached."""
    disposition = "inline" if inline else "attachment"
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })
