"""Checks of a file sent to the portal, before anything is written to disk.

Accepted: jpeg, png, pdf, doc, docx, up to 10 MB. The extension that counts is the last one,
and its content must match it (magic bytes); images are opened with Pillow (format, size
limits, integrity); a docx must be a real Word OOXML package (not a macro-enabled one) that
is no zip bomb. Active content is refused (app/services/upload_active.py): a PDF with
JavaScript or automatic actions, an old .doc with macros, a .docx that loads a remote
template or object. A name hiding a dangerous extension ("facture.php.pdf", "x.pdf.exe") is
refused, and so is an HTML page, an SVG image or a program under any name.

The content type sent by the browser is ignored: the stored type comes from the checked
extension.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

from . import upload_active
from .upload_active import UploadRefused

MAX_SIZE = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 10_000  # pixels
# 25 megapixels: a 12-24 MP phone photo passes; a 49-MP image (about 200 MB once decoded)
# is refused before anything is decoded.
MAX_IMAGE_PIXELS = 25_000_000
MAX_ZIP_TOTAL = 50 * 1024 * 1024  # uncompressed size of a docx
MAX_ZIP_RATIO = 100  # per entry, uncompressed / compressed
MAX_ZIP_ENTRIES = 2_000

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
KIND_NAMES = {"pdf": "PDF", "jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "doc": "Word (.doc)",
              "docx": "Word (.docx)"}
MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": (b"PK\x03\x04",),
}
# Extensions that run or render as active content: never inside a name, never last.
DANGEROUS = {
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
    "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "sh", "bash", "php", "php3", "php4",
    "php5", "phtml", "phar", "asp", "aspx", "jsp", "cgi", "pl", "py", "rb", "html", "htm",
    "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "swf", "lnk", "reg", "docm", "dotm", "xlsm",
    "pptm", "iso", "apk", "app", "dmg", "htaccess",
}
# What a renamed file really is, by its first bytes.
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
_MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|head|body|script|iframe)", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedFile:
    filename: str  # cleaned, for display and the download name
    extension: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def check_upload(filename: str | None, stream) -> CheckedFile:
    """Read and check an uploaded file (`stream`: a file object). Raises UploadRefused."""
    name = clean_filename(filename)
    extension = _extension(name)
    data = stream.read(MAX_SIZE + 1)
    if not data:
        raise UploadRefused(_("Le fichier « %(name)s » est vide.", name=name))
    if len(data) > MAX_SIZE:
        raise UploadRefused(
            _("Le fichier « %(name)s » dépasse la taille maximale de 10 Mo.", name=name)
        )
    _check_content(name, extension, data)
    return CheckedFile(name, extension, CONTENT_TYPES[extension], data)


def clean_filename(filename: str | None) -> str:
    """The base name, without path or control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        raise UploadRefused(_("Choisissez un fichier à envoyer."))
    if len(name) > 200:
        stem, _dot, ext = name.rpartition(".")
        name = f"{stem[:190]}.{ext[:8]}" if stem else name[:200]
    return name


def _extension(name: str) -> str:
    parts = [p.strip().lower() for p in name.split(".")]
    extension = parts[-1] if len(parts) > 1 else ""
    allowed = ", ".join(sorted({"jpeg", "png", "pdf", "doc", "docx"}))
    if extension in DANGEROUS or any(p in DANGEROUS for p in parts[1:-1]):
        raise UploadRefused(
            _("Le nom « %(name)s » cache un type de fichier interdit. Seuls les formats "
              "%(allowed)s sont acceptés.", name=name, allowed=allowed)
        )
    if extension not in CONTENT_TYPES:
        raise UploadRefused(
            _("Le format de « %(name)s » n'est pas accepté. Formats acceptés : %(allowed)s.",
              name=name, allowed=allowed)
        )
    return extension


def _check_content(name: str, extension: str, data: bytes) -> None:
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    if head.startswith(_PROGRAMS):
        raise UploadRefused(
            _("« %(name)s » est un programme, pas un document : il est refusé.", name=name)
        )
    if _MARKUP.match(head):
        raise UploadRefused(
            _("« %(name)s » est une page web ou une image SVG, pas un fichier %(kind)s : "
              "il est refusé.", name=name, kind=KIND_NAMES[extension])
        )
    if not data.startswith(MAGIC[extension]):
        raise UploadRefused(_mismatch(name, extension))
    if extension in ("jpg", "jpeg", "png"):
        _check_image(name, extension, data)
    elif extension == "docx":
        _check_docx(name, data)
    elif extension == "pdf":
        upload_active.check_pdf(name, data)
    elif extension == "doc":
        upload_active.check_ole_doc(name, data)


def _mismatch(name: str, extension: str) -> str:
    return _("Le contenu de « %(name)s » n'est pas celui d'un fichier %(kind)s : vérifiez le "
             "fichier ou enregistrez-le à nouveau dans ce format.", name=name,
             kind=KIND_NAMES[extension])


def _check_image(name: str, extension: str, data: bytes) -> None:
    from PIL import Image

    expected = "PNG" if extension == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size  # read from the header, nothing decoded yet
                if image.format != expected:
                    raise UploadRefused(_mismatch(name, extension))
                if (max(width, height) > MAX_IMAGE_SIDE
                        or width * height > MAX_IMAGE_PIXELS):
                    raise _too_big(name, width, height)
                image.verify()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big(name, 0, 0) from None
    except Exception:  # truncated, corrupt, not really an image
        raise UploadRefused(
            _("L'image « %(name)s » est illisible ou abîmée.", name=name)
        ) from None


def _too_big(name: str, width: int, height: int) -> UploadRefused:
    size = f" ({width} × {height})" if width and height else ""
    return UploadRefused(
        _("L'image « %(name)s »%(size)s est trop grande : %(max)s pixels de côté et "
          "%(megapixels)s mégapixels au plus. Réduisez-la ou envoyez-la en PDF.", name=name,
          size=size, max=MAX_IMAGE_SIDE, megapixels=MAX_IMAGE_PIXELS // 1_000_000)
    )


def _check_docx(name: str, data: bytes) -> None:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(_mismatch(name, "docx")) from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
        raise UploadRefused(_mismatch(name, "docx"))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused(
            _("« %(name)s » contient des macros : enregistrez-le sans macros ou en PDF.",
              name=name)
        )
    declared = sum(entry.file_size for entry in entries)
    bomb = len(entries) > MAX_ZIP_ENTRIES or declared > MAX_ZIP_TOTAL or any(
        entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1) for entry in entries
    )
    encrypted = any(entry.flag_bits & 0x1 for entry in entries)
    if bomb or encrypted or not _inflates_within_limit(package, entries):
        raise UploadRefused(
            _("« %(name)s » n'a pas pu être vérifié (document anormalement compressé ou "
              "protégé) : envoyez-le en PDF.", name=name)
        )
    upload_active.check_docx_relationships(name, package)


def _inflates_within_limit(package: zipfile.ZipFile, entries) -> bool:
    """Really decompress, a chunk at a time, and stop past MAX_ZIP_TOTAL: the sizes in the
    headers can lie. Also checks each entry's CRC."""
    total = 0
    try:
        for entry in entries:
            with package.open(entry) as member:
                while chunk := member.read(64 * 1024):
                    total += len(chunk)
                    if total > MAX_ZIP_TOTAL:
                        return False
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        return False
    return True
