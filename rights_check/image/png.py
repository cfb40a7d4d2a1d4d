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
"""Cap on the decompressed size of one zTXt / iTXt chunk."""
MAX_TEXT_TOTAL = 16 * 1024 * 1024
"""Cap on the text of all of one PNG's text chunks together (tEXt as stored, zTXt / iTXt
decompressed, XMP and raw profiles included): one chunk may still use all of it (an XMP packet
is read up to 16 MiB), but many small compressed chunks cannot inflate into gigabytes (150 zTXt
of 8 KB each would give 1.2 GB)."""
MAX_PLAIN_TEXT = 1024 * 1024
"""Cap on the plain text chunks kept as fields (Comment, Description, Copyright, …) together:
every byte is printed by ``read`` and parsed by ``check`` (a few seconds a MiB), and real rights
text is a few kilobytes (the longest IIM field holds 2,000 bytes)."""

_PNG_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_XMP_KEYWORD = "XML:com.adobe.xmp"
_RIGHTS_FIELDS = ("caption", "special_instructions", "usage_terms", "copyright")


class _OverBudget(Exception):
    """A text chunk holds more text than is left of the PNG's text budget."""


class _TextBudget:
    """What is left of one PNG's text caps, and the chunks skipped for want of it."""

    def __init__(self) -> None:
        self.total = MAX_TEXT_TOTAL
        self.plain = MAX_PLAIN_TEXT
        self.skipped: list[tuple[str, str]] = []  # (chunk type, keyword)

    def room(self, plain: bool) -> int:
        return min(self.total, self.plain) if plain else self.total

    def take(self, n: int, plain: bool) -> None:
        if n > self.room(plain):
            raise _OverBudget
        self.total -= n
        if plain:
            self.plain -= n

    def skip(self, name: str, keyword: str) -> None:
        self.skipped.append((name, keyword))

    def notice(self) -> Notice | None:
        """One notice for all the skipped chunks. It names the field of a skipped rights chunk
        (Copyright, Disclaimer, …) so that ``check`` asks for a review: the skipped text may be
        the restriction."""
        if not self.skipped:
            return None
        from . import _PNG_TEXT as keyword_fields  # how read_image names the keywords' fields

        fields = [keyword_fields.get(k.casefold()) for _, k in self.skipped]
        rights = [f for f in fields if f in _RIGHTS_FIELDS]
        n = len(self.skipped)
        names = ", ".join(f"{c} {k!r}" for c, k in self.skipped[:3]) + (", …" if n > 3 else "")
        return Notice("truncated", f"PNG: {n} text chunk{'s' if n > 1 else ''} skipped ({names}): "
                      f"past the cap on one file's text ({MAX_TEXT_TOTAL >> 20} MiB in all, "
                      f"{MAX_PLAIN_TEXT >> 20} MiB of plain text); the skipped text is not read",
                      field=rights[0] if rights else None)


def _inflate(data: bytes, limit: int = MAX_INFLATE) -> bytes | None:
    """The decompressed chunk text, None when the stream is broken; ``_OverBudget`` when it
    holds more than ``limit`` bytes (no more than ``limit + 1`` bytes are ever inflated)."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, min(limit, MAX_INFLATE) + 1)
    except zlib.error:
        return None
    if len(out) > limit or len(out) > MAX_INFLATE:
        raise _OverBudget
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
    text_budget = _TextBudget()
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
                _png_chunk(ctype, data, b, text_budget)
        pos = end
    over = text_budget.notice()
    if over is not None:
        b.notices.append(over)
    return b


def _png_chunk(ctype: bytes, data: bytes, b: Blocks, budget: _TextBudget) -> None:
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
    low = keyword.lower()
    plain = keyword != _XMP_KEYWORD and not low.startswith("raw profile type ")
    if plain and ":" in keyword:
        return  # ImageMagick copies (exif:*, date:*, icc:*): not original text, not inflated
    try:
        text = _chunk_text(ctype, name, keyword, data[nul + 1:], plain, budget, b)
    except _OverBudget:
        budget.skip(name, keyword)
        return
    if text is None:
        return
    if isinstance(text, bytes):  # an iTXt XMP packet, kept as its bytes
        b.xmp.append((f"png:iTXt:{keyword}", text))
        return
    where = f"png:{name}:{keyword}"
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
    if keyword == _XMP_KEYWORD:
        b.xmp.append((where, text.encode("utf-8")))
        return
    b.text.append((keyword, text))


def _chunk_text(ctype: bytes, name: str, keyword: str, rest: bytes, plain: bool,
                budget: _TextBudget, b: Blocks) -> str | bytes | None:
    """A text chunk's text (bytes for an iTXt XMP packet), None after a damage notice; the
    text is taken from ``budget`` (``_OverBudget`` when it does not fit)."""
    if ctype == b"tEXt":
        budget.take(len(rest), plain)
        return _decode_png_text(rest)
    if ctype == b"zTXt":
        raw = _inflate(rest[1:], budget.room(plain)) if rest[:1] == b"\0" else None
        if raw is None:
            b.notices.append(Notice("damaged", f"PNG: zTXt {keyword!r} cannot be inflated"))
            return None
        budget.take(len(raw), plain)
        return _decode_png_text(raw)
    # iTXt
    if len(rest) < 2:
        b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} cut short"))
        return None
    comp = rest[0]
    parts = rest[2:].split(b"\0", 2)
    if len(parts) < 3:
        b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} malformed"))
        return None
    body = parts[2]
    if comp:
        body = _inflate(body, budget.room(plain))
        if body is None:
            b.notices.append(Notice("damaged", f"PNG: iTXt {keyword!r} cannot be inflated"))
            return None
    budget.take(len(body), plain)
    if keyword == _XMP_KEYWORD:
        return body
    return body.decode("utf-8", errors="replace")
