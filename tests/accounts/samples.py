"""Files a family might send, real or forged, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.hardening.ole import word97
from tests.hardening.pdfs import CLEAN, pdf

PDF = CLEAN  # a real one-page PDF, with its cross-reference table

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>alert(1)</script></svg>")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
PDF_WITH_HTML = pdf(objects=("<< /Note (<html><body><script>alert(document.cookie)</script>"
                              "</body></html>) >>",))
OLE_DOC = word97()  # a real OLE compound file (Word 97), without macros


def png(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 63, 127)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def huge_png(side: int = 20_000) -> bytes:
    """A real, valid black-and-white PNG of side × side pixels: tiny on disk (~50 KB), 400
    megapixels once decoded."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)  # filter byte + 1 bit per pixel
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal real Word document (OOXML), with optional extra parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        package.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        package.writestr("word/document.xml",
                         '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                         '.org/wordprocessingml/2006/main"><w:body/></w:document>')
        for name, content in (extra or {}).items():
            package.writestr(name, content)
    return buffer.getvalue()


def docx_bomb() -> bytes:
    """A docx that inflates a 100 KB download into 100 MB."""
    return docx({"word/media/image1.bin": b"\x00" * (100 * 1024 * 1024)})


def zip_not_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("photo.jpg", b"x")
    return buffer.getvalue()
