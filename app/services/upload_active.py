"""Active content inside an accepted document format (finding 12 of the security audit):
a PDF that runs JavaScript or launches a program when opened, an old Word file with VBA
macros, a Word OOXML file that fetches a remote template or object when opened.

Each check parses the file with a library of the field (pypdf, oletools/olefile) rather than
looking for bytes only; a file the library cannot read is refused too (it cannot be checked).
Called by `upload_checks._check_content`; raises `UploadRefused` with a French message.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from flask_babel import gettext as _

from .errors import CommandError

log = logging.getLogger(__name__)

# Action types that run code, start a program, send data or open another file.
_PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition",
                "/RichMediaExecute"}
# Keys whose mere presence means code or automatic actions.
_PDF_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
             "/XFA"}
_PDF_RAW = re.compile(rb"/(?:JavaScript|Launch|JS)[\s/(<\[]")
_PDF_MAX_OBJECTS = 50_000
# OOXML relationships that may point outside the file; only hyperlinks may.
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""", re.IGNORECASE)
_TYPE = re.compile(rb"""Type\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class UploadRefused(CommandError):
    """The file is refused; `message` is a French sentence for the user."""


class _Active(Exception):
    pass


def _refused(message: str):
    return UploadRefused(message)


def check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refused(_("Le PDF « %(name)s » est protégé par un mot de passe : il ne "
                             "peut pas être vérifié. Envoyez-le sans protection.", name=name))
        _walk_pdf(reader.trailer)
    except _Active:
        raise _pdf_active(name) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError,
            OSError, AssertionError, IndexError, NotImplementedError) as exc:
        log.info("PDF illisible refusé (%s): %s", name, type(exc).__name__)
        raise _refused(_("Le PDF « %(name)s » est illisible ou abîmé : enregistrez-le à "
                         "nouveau ou envoyez une photo du document.", name=name)) from None
    if _PDF_RAW.search(data):  # an object the document's tree does not reach
        raise _pdf_active(name)


def _pdf_active(name: str):
    return _refused(_("Le PDF « %(name)s » contient du code ou des actions automatiques "
                      "(JavaScript, lancement de programme) : il est refusé. Imprimez-le en "
                      "PDF à nouveau ou envoyez une photo du document.", name=name))


def _walk_pdf(root) -> None:
    """Every object reachable from the trailer, once; raises _Active on code or actions."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    todo = [root]
    count = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        count += 1
        if count > _PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            _check_pdf_dictionary(item)
            todo.extend(item.values())
        elif isinstance(item, ArrayObject):
            todo.extend(item)


def _check_pdf_dictionary(item) -> None:
    if _PDF_KEYS & set(item.keys()):
        raise _Active
    if str(item.get("/S", "")) in _PDF_ACTIONS:
        raise _Active
    opening = item.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        # A destination array ([page /Fit]) only shows a page; an action dictionary acts.
        if hasattr(opening, "keys") and str(opening.get("/S", "")) != "/GoTo":
            raise _Active
    if "/EF" in item and str(item.get("/Type", "/Filespec")) == "/Filespec":
        raise _Active  # a file attached inside the PDF


def check_ole_doc(name: str, data: bytes) -> None:
    from oletools.olevba import VBA_Parser

    try:
        parser = VBA_Parser(name, data=data)
        macros = parser.detect_vba_macros()
        parser.close()
    except Exception as exc:  # oletools raises its own FileOpenError and olefile errors
        log.info("Document Word illisible refusé (%s): %s", name, type(exc).__name__)
        raise _refused(_("Le document Word « %(name)s » est illisible ou abîmé : "
                         "enregistrez-le à nouveau ou envoyez-le en PDF.", name=name)) from None
    if macros:
        raise _macros(name)


def _macros(name: str):
    return _refused(_("« %(name)s » contient des macros : enregistrez-le sans macros ou en "
                      "PDF.", name=name))


def check_docx_relationships(name: str, package: zipfile.ZipFile) -> None:
    """A relationship with TargetMode="External" other than a hyperlink (an attached template,
    an OLE object, a frame, an image fetched from a server) is fetched when Word opens it."""
    for entry in package.infolist():
        if not entry.filename.lower().endswith(".rels"):
            continue
        content = package.read(entry)
        for tag in _RELATIONSHIP.findall(content):
            if not _EXTERNAL.search(tag):
                continue
            kind = _TYPE.search(tag)
            if kind and kind.group(1).rsplit(b"/", 1)[-1].lower() == b"hyperlink":
                continue
            raise _refused(_("« %(name)s » charge un modèle ou un contenu depuis Internet à "
                             "l'ouverture : il est refusé. Enregistrez-le en PDF.", name=name))
