"""JPEG: APP1 (EXIF, XMP, Extended XMP), APP11 (JUMBF), APP13 (Photoshop IRB) and the AFCP
trailer; reading stops at the first SOS."""

from __future__ import annotations

import re
import struct

from ..model import Notice
from . import exif as exifmod
from ._source import MAX_CHUNK, MAX_META_TOTAL, Source
from .blocks import Blocks
from .irb import irb_tail_iim, walk_irb

RESYNC_LIMIT = 64 * 1024 * 1024

XMP_SIG = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_SIG = b"http://ns.adobe.com/xmp/extension/\0"
PS_SIG = b"Photoshop 3.0\0"

_JPEG_NAMES = {0xE1: "APP1", 0xEB: "APP11", 0xED: "APP13", 0xDA: "SOS", 0xFE: "COM"}


def _seg_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    return _JPEG_NAMES.get(marker, f"marker 0x{marker:02X}")


def _resync(src: Source, pos: int) -> int | None:
    """The offset of the next plausible marker at or after ``pos`` (bounded, chunked scan)."""
    limit = min(src.size, pos + RESYNC_LIMIT)
    while pos < limit - 1:
        chunk = src.read_at(pos, min(65536, limit - pos))
        if len(chunk) < 2:
            return None
        for m in re.finditer(rb"\xff[\xc0-\xcf\xd8-\xfe]", chunk):
            return pos + m.start()
        pos += len(chunk) - 1
    return None


def read_jpeg(src: Source, head: bytes) -> Blocks:
    b = Blocks(format="jpeg")
    budget = [MAX_META_TOTAL]
    exif_parts: list[bytearray] = []
    ext: dict[bytes, dict] = {}
    jumbf: dict[tuple[bytes, int], dict[int, bytes]] = {}
    app13_tail = b""
    app13_count = 0
    app13_blocks: list[bytes] = []
    pos = 2
    damaged = False
    while True:
        hdr = src.read_at(pos, 4)
        if len(hdr) < 2:
            raise src.error("file ends before any image data (no SOS marker)")
        if hdr[0] != 0xFF:
            new = _resync(src, pos)
            if new is None:
                raise src.error(f"file ends before any image data (no marker after offset {pos})")
            b.notices.append(Notice("damaged", f"JPEG: expected a marker at offset {pos}, "
                                    f"skipped {new - pos} bytes (bad segment length?)"))
            damaged = True
            pos = new
            continue
        marker = hdr[1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            pos += 2
            continue
        if marker == 0xD9:
            if damaged:
                b.notices.append(Notice("damaged", "JPEG: no image data found after the damage"))
                break
            raise src.error("no image data (EOI before SOS)")
        if len(hdr) < 4:
            raise src.error(f"file ends inside {_seg_name(marker)} segment at offset {pos}")
        length = struct.unpack(">H", hdr[2:4])[0]
        if length < 2:
            b.notices.append(Notice("damaged", f"JPEG: {_seg_name(marker)} at offset {pos} has "
                                    f"impossible length {length}"))
            damaged = True
            new = _resync(src, pos + 2)
            if new is None:
                raise src.error("file ends before any image data")
            pos = new
            continue
        end = pos + 2 + length
        if end > src.size:
            raise src.error(f"file ends inside {_seg_name(marker)} segment at offset {pos}")
        if marker == 0xDA:
            break
        if marker in (0xE1, 0xEB, 0xED):
            payload = src.read_at(pos + 4, length - 2)
            if marker == 0xE1:
                _jpeg_app1(payload, b, exif_parts, ext, budget)
            elif marker == 0xEB:
                _jpeg_app11(payload, jumbf, b, budget)
            elif payload.startswith(PS_SIG):
                app13_count += 1
                where = "app13" if app13_count == 1 else f"app13#{app13_count}"
                data = app13_tail + payload[len(PS_SIG):]
                iims, app13_tail = walk_irb(data, where, b.notices)
                app13_blocks.extend(iims)
        pos = end
    if app13_tail:
        b.notices.append(Notice("damaged", "APP13: a Photoshop resource runs past the last "
                                "APP13 segment; its readable part is kept"))
        part = irb_tail_iim(app13_tail)
        if part:
            app13_blocks.append(part)
    for i, iim in enumerate(app13_blocks, start=1):
        b.iptc.append(("app13" if i == 1 else f"app13#{i}", iim))
    for i, part in enumerate(exif_parts, start=1):
        data = bytes(part)
        b.exif.append(("app1:exif" if i == 1 else f"app1:exif#{i}", data))
        iim = exifmod.iptc_in_exif(data)
        if iim:
            b.iptc.append(("exif:33723", iim))
    _finish_ext_xmp(ext, b)
    _finish_jumbf(jumbf, b)
    _read_afcp(src, b)
    return b


def _jpeg_app1(payload: bytes, b: Blocks, exif_parts: list[bytearray], ext: dict,
               budget: list[int]) -> None:
    if payload[:6] in (b"Exif\0\0", b"Exif\0\xff"):
        body = payload[6:]
        if body[:4] in (b"II*\0", b"MM\0*") or not exif_parts:
            exif_parts.append(bytearray(body))
        else:  # multi-segment EXIF: a bare continuation (ExifTool joins them too)
            exif_parts[-1] += body
    elif payload.startswith(XMP_SIG):
        b.xmp.append(("app1:xmp" if not b.xmp else f"app1:xmp#{len(b.xmp) + 1}",
                      payload[len(XMP_SIG):]))
    elif payload.startswith(XMP_EXT_SIG):
        body = payload[len(XMP_EXT_SIG):]
        if len(body) < 40:
            b.notices.append(Notice("damaged", "Extended XMP chunk too short"))
            return
        guid = body[:32]
        full, off = struct.unpack(">II", body[32:40])
        data = body[40:]
        if full > MAX_CHUNK or off + len(data) > full or budget[0] < len(data):
            b.notices.append(Notice("damaged", f"Extended XMP chunk with bad length/offset "
                                    f"({off}+{len(data)} of {full})"))
            return
        budget[0] -= len(data)
        entry = ext.setdefault(guid, {"full": full, "chunks": {}})
        if entry["full"] != full:
            b.notices.append(Notice("damaged", "Extended XMP chunks disagree on the full length"))
            return
        entry["chunks"][off] = data


def _finish_ext_xmp(ext: dict, b: Blocks) -> None:
    for guid, entry in ext.items():
        full = entry["full"]
        chunks = entry["chunks"]
        parts: list[bytes] = []
        reach = 0  # end of the contiguous data assembled so far
        for off in sorted(chunks):
            data = chunks[off]
            if off > reach:
                break  # a hole: the rest cannot be placed
            if off + len(data) > reach:
                parts.append(data[reach - off:])
                reach = off + len(data)
        g = guid.decode("ascii", errors="replace")
        if reach < full:
            b.notices.append(Notice("damaged", f"Extended XMP {g}: only {reach} of {full} "
                                    "bytes present in sequence"))
        b.xmp_extended.append((f"app1:xmp-ext:{g}", b"".join(parts)))


def _jpeg_app11(payload: bytes, jumbf: dict, b: Blocks, budget: list[int]) -> None:
    # JPEG XT box: "JP", box instance (2), packet sequence (4), then the JUMBF box header
    # (LBox, TBox[, XLBox]) repeated in every packet, then the box payload fragment.
    if len(payload) < 16 or payload[:2] != b"JP":
        return
    en = payload[2:4]
    seq = struct.unpack(">I", payload[4:8])[0]
    box = payload[8:]
    lbox = struct.unpack(">I", box[:4])[0]
    hdr_len = 16 if lbox == 1 else 8
    tbox = box[4:8]
    if budget[0] < len(box):
        b.notices.append(Notice("damaged", "APP11: JUMBF data exceeds the size cap"))
        return
    budget[0] -= len(box)
    parts = jumbf.setdefault((en, 0), {})
    parts.setdefault("_hdr", box[:hdr_len])
    parts.setdefault("_type", tbox)
    if seq in parts:
        b.notices.append(Notice("damaged", f"APP11: duplicate JUMBF packet {seq}"))
        return
    parts[seq] = box[hdr_len:]


def _finish_jumbf(jumbf: dict, b: Blocks) -> None:
    for (en, _), parts in sorted(jumbf.items()):
        hdr = parts.pop("_hdr")
        parts.pop("_type")
        seqs = sorted(parts)
        if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            b.notices.append(Notice("damaged", f"APP11: JUMBF box {en.hex()} has missing packets"))
        data = hdr + b"".join(parts[s] for s in seqs)
        b.jumbf.append((f"app11:jumbf#{int.from_bytes(en, 'big')}", data))


def _read_afcp(src: Source, b: Blocks) -> None:
    """IIM in an AFCP trailer ("AXS!"/"AXS*" at the end of the file)."""
    if src.size < 24:
        return
    tail = src.read_at(src.size - 12, 12)
    if tail[:3] != b"AXS" or tail[3:4] not in (b"!", b"*"):
        return
    bo = ">" if tail[3:4] == b"!" else "<"
    start = struct.unpack(bo + "I", tail[4:8])[0]
    hdr = src.read_at(start, 12)
    if len(hdr) < 12 or hdr[:4] != tail[:4]:
        b.notices.append(Notice("damaged", "AFCP trailer points to a bad header"))
        return
    n = struct.unpack(bo + "H", hdr[6:8])[0]
    if n > 256:
        b.notices.append(Notice("damaged", f"AFCP directory claims {n} entries"))
        return
    d = src.read_at(start + 12, 12 * n)
    if len(d) < 12 * n:
        b.notices.append(Notice("damaged", "AFCP directory cut short"))
        return
    for i in range(n):
        tag = d[12 * i:12 * i + 4]
        size, off = struct.unpack(bo + "II", d[12 * i + 4:12 * i + 12])
        if tag != b"IPTC":
            continue
        if size > MAX_CHUNK or off + size > src.size:
            b.notices.append(Notice("damaged", "AFCP IPTC entry outside the file"))
            continue
        data = src.read_at(off, size)
        start_iim = data.find(b"\x1c")
        if start_iim > 0:
            data = data[start_iim:]
        b.iptc.append(("afcp", data))
