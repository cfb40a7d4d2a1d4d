"""TIFF and BigTIFF: the IFD0 and Exif IFD fields kept as a small TIFF, IIM (33723), Photoshop
IRB (34377) and XMP (700)."""

from __future__ import annotations

import struct

from ..model import Notice
from . import exif as exifmod
from ._source import MAX_CHUNK, Source
from .blocks import Blocks
from .irb import walk_irb


def _build_tiff(bo: str, ifd0: list[tuple[int, int, int, bytes]],
                exif_ifd: list[tuple[int, int, int, bytes]]) -> bytes:
    """A small classic TIFF holding only the given entries (values copied byte for byte)."""
    e = "<" if bo == "II" else ">"
    ifd0 = sorted(ifd0)
    exif_ifd = sorted(exif_ifd)
    if exif_ifd:
        ifd0 = sorted(ifd0 + [(exifmod.TAG_EXIF_IFD, 4, 1, b"")])
    ifd0_size = 2 + 12 * len(ifd0) + 4
    exif_at = 8 + ifd0_size
    exif_size = (2 + 12 * len(exif_ifd) + 4) if exif_ifd else 0
    data_at = exif_at + exif_size
    data = bytearray()

    def ifd(entries, at):
        nonlocal data
        out = bytearray(struct.pack(e + "H", len(entries)))
        for tag, typ, cnt, raw in entries:
            if tag == exifmod.TAG_EXIF_IFD and not raw:
                raw = struct.pack(e + "I", exif_at)
            if len(raw) <= 4:
                out += struct.pack(e + "HHI", tag, typ, cnt) + raw.ljust(4, b"\0")
            else:
                off = data_at + len(data)
                data += raw + (b"\0" if len(raw) % 2 else b"")
                out += struct.pack(e + "HHII", tag, typ, cnt, off)
        out += b"\0\0\0\0"
        return bytes(out)

    head = (b"II*\0" if bo == "II" else b"MM\0*") + struct.pack(e + "I", 8)
    first = ifd(ifd0, 8)
    second = ifd(exif_ifd, exif_at) if exif_ifd else b""
    return head + first + second + bytes(data)


def read_tiff(src: Source, head: bytes) -> Blocks:
    b = Blocks(format="tiff")
    try:
        r = exifmod.TiffReader(src.read_at, src.size)
    except exifmod.TiffError as exc:
        raise src.error(f"unreadable TIFF header: {exc}") from None
    if r.first_ifd + 2 > src.size:
        raise src.error("file ends before the first IFD")
    try:
        entries, _ = r.read_ifd(r.first_ifd)
    except exifmod.TiffError as exc:
        raise src.error(f"unreadable TIFF: {exc}") from None
    keep0: list[tuple[int, int, int, bytes]] = []
    keep_exif: list[tuple[int, int, int, bytes]] = []
    exif_off = None

    def value(e, what):
        if e.size < 0 or e.size > MAX_CHUNK:
            b.notices.append(Notice("damaged", f"TIFF tag {e.tag} has an absurd size"))
            return None
        if e.offset + e.size > src.size:
            raise src.error(f"file ends inside {what} (TIFF tag {e.tag})")
        return r.value(e, MAX_CHUNK)

    for e in entries:
        if e.tag in exifmod.IFD0_FIELDS:
            raw = value(e, "a metadata value")
            if raw is not None:
                keep0.append((e.tag, e.type, e.count, raw))
        elif e.tag == exifmod.TAG_EXIF_IFD:
            exif_off = r.uint(e)
        elif e.tag == exifmod.TAG_IPTC:
            raw = value(e, "the IPTC block")
            if raw:
                b.iptc.append(("tiff:33723", raw))
        elif e.tag == exifmod.TAG_PHOTOSHOP:
            raw = value(e, "the Photoshop block")
            if raw:
                iims, tail = walk_irb(raw, "tiff:34377", b.notices)
                if tail:
                    b.notices.append(Notice("damaged", "tiff:34377: Photoshop resource cut short"))
                for i, iim in enumerate(iims, start=1):
                    b.iptc.append(("tiff:34377" if i == 1 else f"tiff:34377#{i}", iim))
        elif e.tag == exifmod.TAG_XMP:
            raw = value(e, "the XMP packet")
            if raw:
                b.xmp.append(("tiff:700", raw))
    if exif_off:
        try:
            sub, _ = r.read_ifd(exif_off)
            for e in sub:
                if e.tag in exifmod.EXIF_IFD_FIELDS:
                    raw = value(e, "a metadata value")
                    if raw is not None:
                        keep_exif.append((e.tag, e.type, e.count, raw))
        except exifmod.TiffError as exc:
            b.notices.append(Notice("damaged", f"TIFF Exif IFD unreadable: {exc}"))
    if keep0 or keep_exif:
        b.exif.append(("tiff:ifd0", _build_tiff(r.byte_order, keep0, keep_exif)))
    return b
