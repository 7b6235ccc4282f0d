"""Small real PDFs (with a cross-reference table) built in memory: a clean one and ones that
carry JavaScript or automatic actions, as an attacker would send them."""

from __future__ import annotations


def pdf(catalog_extra: str = "", page_extra: str = "", objects: tuple[str, ...] = ()) -> bytes:
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {page_extra} >>",
        *objects,
    ]
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return out


CLEAN = pdf()
# A destination array as /OpenAction only shows page 1 (Word's exports do this).
OPENS_ON_PAGE_ONE = pdf("/OpenAction [3 0 R /Fit]")
JAVASCRIPT_OPEN_ACTION = pdf("/OpenAction 4 0 R",
                             objects=("<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",))
JAVASCRIPT_NAMES = pdf("/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
                       objects=("<< /S /JavaScript /JS (this.exportDataObject()) >>",))
LAUNCH_OPEN_ACTION = pdf("/OpenAction << /S /Launch /F (cmd.exe) >>")
LAUNCH_LINK = pdf(page_extra="/Annots [4 0 R]", objects=(
    "<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /Launch /F (calc.exe) >> >>",))
PAGE_OPEN_SCRIPT = pdf(page_extra="/AA << /O 4 0 R >>",
                       objects=("<< /S /JavaScript /JS (app.alert(2)) >>",))
# Name written with #xx escapes (/J#61vaScript = /JavaScript): the parser decodes it.
ESCAPED_NAME = pdf("/OpenAction << /S /J#61vaScript /J#53 (app.alert(3)) >>")
# An object nothing points to still holds a script.
ORPHAN_SCRIPT = pdf(objects=("<< /S /JavaScript /JS (app.alert(4)) >>",))
