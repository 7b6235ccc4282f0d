"""A minimal writer of OLE compound files (MS-CFB version 3, 512-byte sectors), to build real
.doc samples in memory: a clean Word 97 file and one carrying a VBA project (macros).

Every stream is padded to 4096 bytes so that none goes to the mini stream."""

from __future__ import annotations

import struct

SECTOR = 512
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


def _entry(name: str, kind: int, child=NOSTREAM, right=NOSTREAM, start=END, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4
            + b"\0" * 16 + struct.pack("<IQ", start, size))


def _tree(paths: list[str]) -> dict:
    root: dict = {}
    for path in paths:
        node = root
        for part in path.split("/"):
            node = node.setdefault(part, {})
    return root


def ole_file(streams: dict[str, bytes]) -> bytes:
    """An OLE file holding `streams` ({"Macros/VBA/dir": b"…"}); storages are implied."""
    data = {p: content.ljust(4096, b"\0") for p, content in streams.items()}
    entries: list[list] = [["Root Entry", 5, NOSTREAM, NOSTREAM, END, 0, None]]

    def add(children: dict, prefix: str) -> int:
        first = NOSTREAM
        ids = []
        for name in children:
            path = f"{prefix}{name}"
            is_stream = path in data
            entries.append([name, 2 if is_stream else 1, NOSTREAM, NOSTREAM, END, 0,
                            path if is_stream else None])
            ids.append(len(entries) - 1)
        for index, child_id in enumerate(ids):
            entries[child_id][3] = ids[index + 1] if index + 1 < len(ids) else NOSTREAM
            name = entries[child_id][0]
            if children[name]:
                entries[child_id][2] = add(children[name], f"{prefix}{name}/")
        if ids:
            first = ids[0]
        return first

    entries[0][2] = add(_tree(list(data)), "")
    dir_sectors = (len(entries) * 128 + SECTOR - 1) // SECTOR
    fat = [FATSECT] + [i + 2 for i in range(dir_sectors - 1)] + [END]
    body = b""
    for entry in entries:
        if entry[6] is None:
            continue
        content = data[entry[6]]
        count = len(content) // SECTOR
        entry[4], entry[5] = len(fat), len(content)
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
        body += content
    assert len(fat) <= SECTOR // 4, "sample too large for one FAT sector"
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *(fat + [FREE] * (SECTOR // 4 - len(fat))))
    directory = b"".join(_entry(n, k, c, r, s, z) for n, k, c, r, s, z, _p in entries)
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<109I", 0, *([FREE] * 108)))
    return header + fat_sector + directory + body


def word97(macros: bool = False) -> bytes:
    streams = {"WordDocument": b"\xec\xa5" + b"\0" * 100, "1Table": b"\0" * 10}
    if macros:
        streams.update({
            "Macros/PROJECT": (b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
                               b"Document=ThisDocument/&H00000000\r\n"),
            "Macros/VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00",
            "Macros/VBA/dir": b"\x01",
            "Macros/VBA/ThisDocument": (b'Attribute VB_Name = "ThisDocument"\r\n'
                                        b'Sub AutoOpen()\r\nShell "cmd"\r\nEnd Sub'),
        })
    return ole_file(streams)
