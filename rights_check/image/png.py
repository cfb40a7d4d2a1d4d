"""PNG: text chunks (XMP, ImageMagick raw profiles, plain text), eXIf and caBX (C2PA)."""

from __future__ import annotations

import re
import struct
import zlib

from ..model import Notice
from ._source import MAX_CHUNK, MAX_META_TOTAL, Source
from .blocks import Blocks
from .irb import IRB_SIGS, walk_irb

MAX_INFLATE = 16 * 1024 * 1024

_PNG_TEXT = (b"tEXt", b"zTXt", b"iTXt")


def _inflate(data: bytes) -> bytes | None:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_INFLATE)
    except zlib.error:
        return None
    if d.unconsumed_tail:
        return None
    return out


def _decode_png_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _raw_profile(text: str) -> bytes | None:
    """ImageMagick "Raw profile type X": "\\nX\\n   <len>\\n<hex lines>"."""
    lines = text.lstrip("\n").split("\n", 2)
    if len(lines) < 3:
        return None
    try:
        n = int(lines[1].strip())
    except ValueError:
        return None
    if n < 0 or n > MAX_CHUNK:
        return None
    hexdigits = re.sub(r"[^0-9A-Fa-f]", "", lines[2])
    try:
        data = bytes.fromhex(hexdigits[: 2 * n])
    except ValueError:
        return None
    return data


def read_png(src: Source, head: bytes) -> Blocks:
    b = Blocks(format="png")
    budget = MAX_META_TOTAL
    pos = 8
    seen_idat = False
    while True:
        hdr = src.read_at(pos, 8)
        if len(hdr) == 0:
            if not seen_idat:
                raise src.error("file ends before any image data (no IDAT chunk)")
            b.notices.append(Notice("damaged", "PNG: no IEND chunk; the file may be cut short"))
            break
        if len(hdr) < 8:
            if not seen_idat:
                raise src.error(f"file ends inside a chunk header at offset {pos}")
            b.notices.append(Notice("damaged", "PNG: file ends inside a chunk header"))
            break
        length, ctype = struct.unpack(">I4s", hdr)
        end = pos + 12 + length
        if not re.fullmatch(rb"[A-Za-z]{4}", ctype) or length > 0x7FFFFFFF:
            if not seen_idat:
                raise src.error(f"broken PNG chunk at offset {pos}")
            b.notices.append(Notice("damaged", f"PNG: broken chunk at offset {pos}; rest ignored"))
            break
        name = ctype.decode("ascii")
        if end > src.size:
            if name == "IDAT":
                b.notices.append(Notice("damaged", "PNG: file ends inside image data"))
                break
            raise src.error(f"file ends inside PNG {name} chunk at offset {pos}")
        if ctype == b"IDAT":
            seen_idat = True
        elif ctype == b"IEND":
            if not seen_idat:
                raise src.error("no image data (IEND before IDAT)")
            break
        elif ctype in _PNG_TEXT or ctype in (b"eXIf", b"caBX"):
            if length > MAX_CHUNK or length > budget:
                b.notices.append(Notice("damaged", f"PNG: {name} chunk too large, skipped"))
            else:
                budget -= length
                data = src.read_at(pos + 8, length)
                crc = struct.unpack(">I", src.read_at(pos + 8 + length, 4))[0]
                if zlib.crc32(ctype + data) & 0xFFFFFFFF != crc:
                    b.notices.append(Notice("damaged", f"PNG: bad CRC for {name} chunk at "
                                            f"offset {pos}"))
                _png_chunk(ctype, data, b)
        pos = end
    return b


def _png_chunk(ctype: bytes, data: bytes, b: Blocks) -> None:
    name = ctype.decode("ascii")
    if ctype == b"eXIf":
        if data.startswith(b"Exif\0\0"):
            data = data[6:]
        b.exif.append(("png:eXIf", data))
        return
    if ctype == b"caBX":
        b.jumbf.append(("png:caBX", data))
        return
    nul = data.find(b"\0", 0, 80)
    if nul < 1:
        b.notices.append(Notice("damaged", f"PNG: {name} chunk has no valid keyword; skipped"))
        return
    keyword = data[:nul].decode("latin-1")
    rest = data[nul + 1:]
    if ctype == b"tEXt":
        text = _decode_png_text(rest)
    elif ctype == b"zTXt":
        raw = _inflate(rest[1:]) if rest[:1] == b"\0" else None
        if raw is None:
            b.notices.append(Notice("damaged", f"PNG: zTXt {keyword!r} cannot be inflated"))
            return
        text = _decode_png_text(raw)
    else:  # iTXt
        if len(rest) < 2:
            b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} cut short"))
            return
        comp = rest[0]
        parts = rest[2:].split(b"\0", 2)
        if len(parts) < 3:
            b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} malformed"))
            return
        body = parts[2]
        if comp:
            body = _inflate(body)
            if body is None:
                b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} cannot be inflated"))
                return
        if keyword == "XML:com.adobe.xmp":
            b.xmp.append((f"png:iTXt:{keyword}", body))
            return
        text = body.decode("utf-8", errors="replace")
    where = f"png:{name}:{keyword}"
    low = keyword.lower()
    if low.startswith("raw profile type "):
        prof = _raw_profile(text)
        if prof is None:
            b.notices.append(Notice("damaged", f"{where}: unreadable raw profile"))
            return
        kind = low[len("raw profile type "):]
        if kind in ("iptc", "8bim"):
            if prof[:4] in IRB_SIGS:
                iims, tail = walk_irb(prof, where, b.notices)
                if tail:
                    b.notices.append(Notice("damaged", f"{where}: Photoshop resource cut short"))
                for iim in iims:
                    b.iptc.append((where, iim))
            elif prof[:1] == b"\x1c":
                b.iptc.append((where, prof))
            else:
                b.notices.append(Notice("damaged", f"{where}: neither IIM nor Photoshop data"))
        elif kind in ("app1", "exif"):
            i = prof.find(b"Exif\0\0")
            if 0 <= i < 16:
                prof = prof[i + 6:]
            if prof[:4] in (b"II*\0", b"MM\0*"):
                b.exif.append((where, prof))
        elif kind == "xmp":
            b.xmp.append((where, prof))
        return
    if keyword == "XML:com.adobe.xmp":
        b.xmp.append((where, text.encode("utf-8")))
        return
    if ":" in keyword:  # ImageMagick copies (exif:*, date:*, icc:*): not original text
        return
    b.text.append((keyword, text))
