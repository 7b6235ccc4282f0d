"""Reading an uploaded file (CSV in UTF-8 or Windows-1252, `;` or `,`; or XLSX)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import CommandError
from ..menus.imports import read_rows

MAX_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx", ".txt")


def check_file(filename: str, content: bytes) -> None:
    if not content:
        raise CommandError(fields={"file": _("Choisissez le fichier (CSV ou XLSX).")})
    if len(content) > MAX_BYTES:
        raise CommandError(fields={"file": _("Fichier trop volumineux (%(mb)s Mo au plus).",
                                             mb=MAX_BYTES // (1024 * 1024))})
    if not filename.lower().endswith(EXTENSIONS):
        raise CommandError(fields={"file": _("Format non reconnu : un fichier .csv ou .xlsx "
                                             "est attendu.")})


def file_rows(filename: str, content: bytes) -> list[list]:
    """The rows (header first); a CommandError in French for an unreadable file."""
    try:
        return read_rows(filename, content)
    except ValueError:
        raise CommandError(fields={"file": _("Fichier illisible : enregistrez-le en CSV ou "
                                             "XLSX.")}) from None


def header_of(filename: str, content: bytes) -> list[str]:
    rows = file_rows(filename, content)
    return [str(h).strip() for h in (rows[0] if rows else []) if str(h or "").strip()]
