"""Attachments of messages: the same content checks as every upload (extension, magic bytes,
images opened, docx inspected), at most `MAX_FILES` per message, stored under random names
outside the web root and served only as downloads by views that checked who may see them."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..documents import store
from ..errors import ErrorCollector
from ..upload_active import UploadRefused
from ..upload_checks import CheckedFile, check_upload

FOLDER = "messages"
MAX_FILES = 3
_STORED_NAME = re.compile(r"^[0-9a-f]{48}$")


def check_files(uploads, errors: ErrorCollector) -> list[CheckedFile]:
    """Every file sent with a message, checked; problems go to `errors` (field "files")."""
    sent = [u for u in uploads or [] if getattr(u, "filename", "")]
    if len(sent) > MAX_FILES:
        errors.add(_("Joignez %(max)d fichiers au plus à un message.", max=MAX_FILES), "files")
        return []
    checked = []
    for upload in sent:
        try:
            checked.append(check_upload(upload.filename, upload.stream))
        except UploadRefused as refused:
            errors.add(refused.message, "files")
    return checked


def store_files(checked: list[CheckedFile]) -> list[str]:
    return [store(file, FOLDER) for file in checked]


def discard(stored_names: list[str]) -> None:
    for name in stored_names:
        path = stored_path(name)
        if path is not None:
            path.unlink(missing_ok=True)


def stored_path(stored_name: str) -> Path | None:
    if not _STORED_NAME.match(stored_name or ""):
        return None
    path = Path(current_app.config["PORTAL_UPLOAD_DIR"]) / FOLDER / stored_name
    return path if path.is_file() else None
