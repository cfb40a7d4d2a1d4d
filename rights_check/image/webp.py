"""WebP: the RIFF EXIF, XMP and C2PA chunks."""

from __future__ import annotations

import struct

from ..model import Notice
from ._source import Source
from .blocks import Blocks


def read_webp(src: Source, head: bytes) -> Blocks:
    b = Blocks(format="webp")
    riff_end = min(src.size, 8 + struct.unpack("<I", head[4:8])[0])
    if 8 + struct.unpack("<I", head[4:8])[0] > src.size:
        b.notices.append(Notice("damaged", "WebP: RIFF size larger than the file"))
    pos = 12
    seen_image = False
    while pos + 8 <= riff_end:
        fourcc, size = struct.unpack("<4sI", src.read_at(pos, 8))
        end = pos + 8 + size + (size & 1)
        name = fourcc.decode("latin-1")
        if pos + 8 + size > src.size:
            if fourcc in (b"VP8 ", b"VP8L", b"ANMF") and not seen_image:
                b.notices.append(Notice("damaged", "WebP: file ends inside image data"))
                seen_image = True
                break
            raise src.error(f"file ends inside WebP {name.strip()} chunk at offset {pos}")
        if fourcc in (b"VP8 ", b"VP8L", b"ANMF", b"ALPH"):
            seen_image = True
        elif fourcc in (b"EXIF", b"XMP ", b"C2PA"):
            data = src.exact(pos + 8, size, f"WebP {name.strip()} chunk")
            if fourcc == b"EXIF":
                if data.startswith(b"Exif\0\0"):
                    data = data[6:]
                b.exif.append(("webp:EXIF", data))
            elif fourcc == b"XMP ":
                b.xmp.append(("webp:XMP", data))
            else:
                b.jumbf.append(("webp:C2PA", data))
        pos = end
    if not seen_image:
        raise src.error("file ends before any image data (no VP8/VP8L chunk)")
    return b
