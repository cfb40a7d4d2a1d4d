"""EXIF (TIFF-structured) caption and rights fields, read with a small bounds-checked IFD walker.

The walker (``TiffReader``) also serves ``tiff.py`` for TIFF files, where it reads through
a file object with ``seek``/``read`` so a large TIFF costs no more than a small one.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Callable

from ..model import Notice
from .iptc import CODEC_NAMES, guess_legacy

# TIFF field types -> size in bytes of one value
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
              13: 4, 16: 8, 17: 8, 18: 8}

MAX_IFD_ENTRIES = 4096
MAX_VALUE_BYTES = 16 * 1024 * 1024

TAG_IMAGE_DESCRIPTION = 0x010E
TAG_ARTIST = 0x013B
TAG_XMP = 0x02BC
TAG_COPYRIGHT = 0x8298
TAG_IPTC = 0x83BB
TAG_PHOTOSHOP = 0x8649
TAG_EXIF_IFD = 0x8769
TAG_USER_COMMENT = 0x9286
TAG_XP_TITLE = 0x9C9B
TAG_XP_COMMENT = 0x9C9C
TAG_XP_AUTHOR = 0x9C9D
TAG_XP_SUBJECT = 0x9C9F

# IFD0 tags this module turns into fields: tag -> (logical field, source suffix)
IFD0_FIELDS = {
    TAG_IMAGE_DESCRIPTION: ("caption", "ImageDescription"),
    TAG_COPYRIGHT: ("copyright", "Copyright"),
    TAG_ARTIST: ("byline", "Artist"),
    TAG_XP_TITLE: ("headline", "XPTitle"),
    TAG_XP_COMMENT: ("caption", "XPComment"),
    TAG_XP_SUBJECT: ("headline", "XPSubject"),
    TAG_XP_AUTHOR: ("byline", "XPAuthor"),
}
EXIF_IFD_FIELDS = {TAG_USER_COMMENT: ("caption", "UserComment")}
XP_TAGS = {TAG_XP_TITLE, TAG_XP_COMMENT, TAG_XP_SUBJECT, TAG_XP_AUTHOR}
_IFD0_WANTED = frozenset(IFD0_FIELDS) | {TAG_EXIF_IFD}
_EXIF_IFD_WANTED = frozenset(EXIF_IFD_FIELDS)
_IPTC_WANTED = frozenset({TAG_IPTC})


class TiffError(Exception):
    """The TIFF structure cannot be read (bad header, IFD outside the data)."""


@dataclass(slots=True)
class Entry:
    tag: int
    type: int
    count: int
    size: int
    """Byte size of the value (count × type size); -1 for an unknown type."""
    offset: int
    """Absolute offset of the value within the TIFF data (inline values point into the entry)."""


class TiffReader:
    """Reads IFDs through ``read_at(offset, n) -> bytes`` over ``length`` bytes of TIFF data."""

    def __init__(self, read_at: Callable[[int, int], bytes], length: int):
        self.read_at = read_at
        self.length = length
        head = read_at(0, 16)
        if len(head) < 8:
            raise TiffError("TIFF header cut short")
        if head[:2] == b"II":
            self.bo = "<"
        elif head[:2] == b"MM":
            self.bo = ">"
        else:
            raise TiffError("no TIFF byte-order mark")
        magic = struct.unpack(self.bo + "H", head[2:4])[0]
        if magic == 42:
            self.big = False
            self.first_ifd = struct.unpack(self.bo + "I", head[4:8])[0]
        elif magic == 43 and len(head) >= 16:
            self.big = True
            off_size, _ = struct.unpack(self.bo + "HH", head[4:8])
            if off_size != 8:
                raise TiffError("unsupported BigTIFF offset size")
            self.first_ifd = struct.unpack(self.bo + "Q", head[8:16])[0]
        else:
            raise TiffError("bad TIFF magic number")

    @property
    def byte_order(self) -> str:
        return "II" if self.bo == "<" else "MM"

    def read_ifd(self, offset: int, wanted: frozenset[int] | None = None) -> tuple[list[Entry], int]:
        """Return the entries of the IFD at ``offset`` (only the ``wanted`` tags, when given: a
        camera's IFD holds dozens of others) and the next IFD's offset (0 if none)."""
        count_size, entry_size, ptr_size = (8, 20, 8) if self.big else (2, 12, 4)
        if offset < 8 or offset + count_size > self.length:
            raise TiffError(f"IFD offset {offset} outside the data")
        raw = self.read_at(offset, count_size)
        if len(raw) < count_size:
            raise TiffError("IFD cut short")
        n = struct.unpack(self.bo + ("Q" if self.big else "H"), raw)[0]
        if n > MAX_IFD_ENTRIES:
            raise TiffError(f"IFD at {offset} claims {n} entries")
        body_len = n * entry_size + ptr_size
        body = self.read_at(offset + count_size, body_len)
        complete = len(body) == body_len
        if len(body) < n * entry_size:
            n = len(body) // entry_size
        entries = []
        if self.big:
            fields = struct.iter_unpack(self.bo + "HHQ8s", body[:n * entry_size])
        else:
            fields = struct.iter_unpack(self.bo + "HHI4s", body[:n * entry_size])
        inline = 8 if self.big else 4
        pointer = self.bo + ("Q" if self.big else "I")
        for i, (tag, typ, cnt, raw_off) in enumerate(fields):
            if wanted is not None and tag not in wanted:
                continue
            tsize = TYPE_SIZES.get(typ)
            if tsize is None or cnt > MAX_VALUE_BYTES:
                entries.append(Entry(tag, typ, cnt, -1, 0))
                continue
            size = cnt * tsize
            if size <= inline:
                voff = offset + count_size + i * entry_size + (entry_size - inline)
            else:
                voff = struct.unpack(pointer, raw_off)[0]
            entries.append(Entry(tag, typ, cnt, size, voff))
        nxt = 0
        if complete:
            nxt = struct.unpack(self.bo + ("Q" if self.big else "I"), body[-ptr_size:])[0]
        return entries, nxt

    def value(self, entry: Entry, limit: int = MAX_VALUE_BYTES) -> bytes | None:
        """The entry's raw value bytes, or None when it lies outside the data or is absurd.

        A value that starts inside the data but runs past its end is returned cut short
        (ExifTool does the same for multi-segment EXIF)."""
        if entry.size < 0 or entry.size > limit or entry.offset >= self.length:
            return None
        return self.read_at(entry.offset, entry.size)

    def uint(self, entry: Entry) -> int | None:
        """First value of a SHORT/LONG/IFD-typed entry."""
        raw = self.value(entry, 64)
        if not raw:
            return None
        fmt = {3: "H", 4: "I", 13: "I", 16: "Q", 18: "Q"}.get(entry.type)
        if fmt is None or len(raw) < struct.calcsize(fmt):
            return None
        return struct.unpack(self.bo + fmt, raw[: struct.calcsize(fmt)])[0]


def bytes_reader(data: bytes) -> TiffReader:
    mv = memoryview(data)

    def read_at(off: int, n: int) -> bytes:
        if off < 0 or off >= len(data):
            return b""
        return bytes(mv[off:off + n])

    return TiffReader(read_at, len(data))


# --------------------------------------------------------------------------- text decoding

def decode_text_bytes(raw: bytes, guessed: list[str] | None = None) -> str:
    """Bytes of an 8-bit text field: UTF-8 when valid, else the legacy character set that the
    IIM reader's guesser picks by what the text looks like (CP949, Shift_JIS, GB18030/Big5,
    MacRoman only on evidence, else cp1252). The guessed codec is appended to ``guessed``."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text, codec = guess_legacy(raw)
    if guessed is not None:
        guessed.append(codec)
    return text


def decode_ascii_field(raw: bytes, tag: int | None = None, guessed: list[str] | None = None) -> str:
    """An ASCII-typed EXIF value. Copyright may be "photographer\\0editor" (kept as two lines,
    as ExifTool prints it); other values end at the first NUL. Guessed codecs go to ``guessed``."""
    raw = raw.rstrip(b"\0")
    if tag == TAG_COPYRIGHT and b"\0" in raw:
        first, _, rest = raw.partition(b"\0")
        parts = [decode_text_bytes(p, guessed).strip() for p in (first, rest.split(b"\0")[0])]
        return "\n".join(p for p in parts if p)
    raw = raw.split(b"\0", 1)[0]
    return decode_text_bytes(raw, guessed).rstrip(" ")


def decode_xp(raw: bytes) -> str:
    if len(raw) % 2:
        raw = raw[:-1]
    text = raw.decode("utf-16-le", errors="replace")
    end = text.find("\0")
    return text if end < 0 else text[:end]


def decode_user_comment(raw: bytes, byte_order: str, guessed: list[str] | None = None) -> str | None:
    """UserComment by its 8-byte character code. None when there is no usable prefix. The codec
    guessed for 8-bit text that is not UTF-8 is appended to ``guessed``."""
    if len(raw) < 8:
        return None
    code, body = raw[:8], raw[8:]
    if code == b"ASCII\0\0\0":
        text = decode_text_bytes(body.split(b"\0", 1)[0], guessed)
    elif code == b"UNICODE\0":
        if body[:2] == b"\xff\xfe":
            enc, body = "utf-16-le", body[2:]
        elif body[:2] == b"\xfe\xff":
            enc, body = "utf-16-be", body[2:]
        else:
            enc = "utf-16-le" if byte_order == "II" else "utf-16-be"
        if len(body) % 2:
            body = body[:-1]
        text = body.decode(enc, errors="replace")
        if "\0" in text:
            text = text[: text.index("\0")]
    elif code == b"JIS\0\0\0\0\0":
        body = body.rstrip(b"\0")
        text = None
        for enc in ("iso2022_jp", "euc_jp", "shift_jis"):
            try:
                text = body.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            text = decode_text_bytes(body, guessed)
    elif code == b"\0" * 8 or code == b" " * 8:
        text = decode_text_bytes(body.rstrip(b"\0"), guessed)
    else:
        return None
    return text.rstrip("\0 ")


# --------------------------------------------------------------------------- parse_exif

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _garbled(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _source(index: int, name: str) -> str:
    return f"exif:{name}" if index == 1 else f"exif#{index}:{name}"


def _guess_notice(name: str, source: str, fld: str, guessed: list[str]) -> Notice:
    codecs = " and ".join(CODEC_NAMES.get(c, c) for c in dict.fromkeys(guessed))
    return Notice("encoding_guess", f"EXIF {name} ({source}): the bytes are not UTF-8 and EXIF "
                  f"names no character set; decoded as {codecs}", field=fld)


def parse_exif(blocks: list[tuple[str, bytes]],
               notices: list[Notice] | None = None) -> list[tuple[str, str, str]]:
    """Caption and rights fields from TIFF-structured EXIF blocks.

    Returns ``(logical field, source name, value)`` triples in a stable order; the first block's
    sources are ``exif:ImageDescription`` etc., the second's ``exif#2:ImageDescription``.
    Problems are appended to ``notices`` (kind ``damaged``) when a list is given."""
    out: list[tuple[str, str, str]] = []
    for index, (where, data) in enumerate(blocks, start=1):
        try:
            reader = bytes_reader(data)
            entries, _ = reader.read_ifd(reader.first_ifd, _IFD0_WANTED)
        except (TiffError, struct.error) as exc:
            if notices is not None:
                notices.append(Notice("damaged", f"{where}: EXIF block unreadable: {exc}"))
            continue
        exif_ifd = None
        for e in entries:
            if e.tag in IFD0_FIELDS:
                raw = reader.value(e)
                if raw is None:
                    if notices is not None:
                        notices.append(Notice("damaged", f"{where}: EXIF tag 0x{e.tag:04X} "
                                              "points outside the block"))
                    continue
                fld, name = IFD0_FIELDS[e.tag]
                guessed: list[str] = []
                value = decode_xp(raw) if e.tag in XP_TAGS else decode_ascii_field(raw, e.tag, guessed)
                if _garbled(value):
                    if notices is not None:
                        notices.append(Notice("damaged", f"{where}: EXIF {name} holds control "
                                              "characters, not text; ignored", field=fld))
                    continue
                out.append((fld, _source(index, name), value))
                if guessed and notices is not None:
                    notices.append(_guess_notice(name, _source(index, name), fld, guessed))
            elif e.tag == TAG_EXIF_IFD:
                exif_ifd = reader.uint(e)
        if exif_ifd:
            try:
                sub, _ = reader.read_ifd(exif_ifd, _EXIF_IFD_WANTED)
            except (TiffError, struct.error) as exc:
                if notices is not None:
                    notices.append(Notice("damaged", f"{where}: Exif IFD unreadable: {exc}"))
                sub = []
            for e in sub:
                if e.tag in EXIF_IFD_FIELDS:
                    raw = reader.value(e)
                    if raw is None:
                        continue
                    guessed = []
                    text = decode_user_comment(raw, reader.byte_order, guessed)
                    if text is None:
                        if notices is not None:
                            notices.append(Notice("damaged", f"{where}: UserComment has no "
                                                  "valid character code", field="caption"))
                        continue
                    fld, name = EXIF_IFD_FIELDS[e.tag]
                    out.append((fld, _source(index, name), text))
                    if guessed and notices is not None:
                        notices.append(_guess_notice(name, _source(index, name), fld, guessed))
    return out


def iptc_in_exif(data: bytes) -> bytes | None:
    """Raw IIM from IFD0 tag 33723 of an EXIF block, if any."""
    try:
        reader = bytes_reader(data)
        entries, _ = reader.read_ifd(reader.first_ifd, _IPTC_WANTED)
    except (TiffError, struct.error):
        return None
    for e in entries:
        if e.tag == TAG_IPTC:
            raw = reader.value(e)
            if raw:
                return raw
    return None
