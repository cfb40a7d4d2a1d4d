"""Find the raw metadata blocks in an image file without decoding pixels.

``read_blocks(path)`` sniffs the content (never the file name) and walks the container with
``seek``/``read``: pixel data is skipped, every length field is checked against the file size
and against fixed caps, so memory and time do not grow with the image size.

A file that ends inside a metadata segment or before any image data raises ``InputError``
(contract §4: the missing bytes may have held a restriction). Damage inside complete segments
(a bad segment length that still fits, a broken Photoshop resource, a bad PNG CRC) becomes a
``Notice("damaged", …)`` in ``Blocks.notices`` and reading goes on.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from typing import BinaryIO

from ..errors import InputError
from ..inputs import open_input
from ..model import Notice
from . import exif as exifmod
from .blocks import Blocks

MAX_META_TOTAL = 64 * 1024 * 1024
"""Cap on the metadata bytes kept from one file (Extended XMP, JUMBF, text chunks)."""
MAX_CHUNK = 32 * 1024 * 1024
"""Cap on one metadata chunk / item that is read into memory."""
MAX_INFLATE = 16 * 1024 * 1024
MAX_XMP_FILE = 32 * 1024 * 1024
RESYNC_LIMIT = 64 * 1024 * 1024

XMP_SIG = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_SIG = b"http://ns.adobe.com/xmp/extension/\0"
PS_SIG = b"Photoshop 3.0\0"
IRB_SIGS = (b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa")


class _Src:
    """Random access to an open file, reading only what is asked for."""

    def __init__(self, path: str, fh: BinaryIO, size: int):
        self.path = path
        self.fh = fh
        self.size = size

    def read_at(self, off: int, n: int) -> bytes:
        if off < 0 or n <= 0 or off >= self.size:
            return b""
        n = min(n, self.size - off)
        self.fh.seek(off)
        return self.fh.read(n)

    def exact(self, off: int, n: int, what: str) -> bytes:
        if n > MAX_CHUNK:
            raise InputError(f"{self.path}: {what} at offset {off} is implausibly large ({n} bytes)")
        data = self.read_at(off, n)
        if len(data) != n:
            raise InputError(f"{self.path}: file ends inside {what} at offset {off}")
        return data

    def error(self, problem: str) -> InputError:
        return InputError(f"{self.path}: {problem}")


def read_blocks(path: str | os.PathLike) -> Blocks:
    """Read every caption/rights metadata block of an image or XMP file."""
    p = os.fspath(path)
    fh = open_input(p)
    try:
        with fh:
            try:
                src = _Src(p, fh, os.fstat(fh.fileno()).st_size)
                if src.size == 0:
                    raise InputError(f"{p}: empty file (zero bytes)")
                head = src.read_at(0, 64)
                kind = sniff(head)
                if kind is None:
                    raise InputError(f"{p}: not an image (unrecognised content)")
                return _READERS[kind](src, head)
            except OSError as exc:
                raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except (struct.error, IndexError, ValueError) as exc:  # belt and braces: never a traceback
        raise InputError(f"{p}: unreadable metadata structure ({type(exc).__name__})") from None


def sniff(head: bytes) -> str | None:
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return "tiff"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "bmff"
    if _looks_like_xmp(head):
        return "xmp"
    return None


def _looks_like_xmp(head: bytes) -> bool:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                     (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(enc, errors="ignore")
            break
    else:
        if len(head) > 1 and head[0] == 0 and head[1] == ord("<"):
            text = head.decode("utf-16-be", errors="ignore")
        elif len(head) > 1 and head[0] == ord("<") and head[1] == 0:
            text = head.decode("utf-16-le", errors="ignore")
        else:
            text = head.decode("latin-1")
    text = text.lstrip(" \t\r\n")
    return text.startswith(("<?xpacket", "<x:xmpmeta", "<x:xapmeta", "<rdf:RDF", "<?xml"))


# --------------------------------------------------------------------------- Photoshop IRB

def walk_irb(data: bytes, where: str, notices: list[Notice]) -> tuple[list[bytes], bytes]:
    """IIM (resource 0x0404) payloads of a complete IRB stream, and an unfinished tail.

    Returns ``(iim_payloads, tail)``; ``tail`` is the start of a resource that runs past the
    end of ``data`` (to be joined with the next APP13 segment), or b""."""
    out: list[bytes] = []
    pos, n = 0, len(data)
    while pos < n:
        if n - pos < 4 and not data[pos:].strip(b"\0"):
            break
        if data[pos:pos + 4] not in IRB_SIGS:
            if not data[pos:].strip(b"\0"):
                break
            if n - pos < 4:
                return out, data[pos:]
            notices.append(Notice("damaged", f"{where}: broken Photoshop resource at byte {pos}"))
            break
        if pos + 7 > n:
            return out, data[pos:]
        rid = struct.unpack(">H", data[pos + 4:pos + 6])[0]
        name_len = data[pos + 6]
        q = pos + 6 + 1 + name_len
        if (1 + name_len) % 2:
            q += 1
        if q + 4 > n:
            return out, data[pos:]
        size = struct.unpack(">I", data[q:q + 4])[0]
        q += 4
        if size > MAX_CHUNK:
            notices.append(Notice("damaged", f"{where}: Photoshop resource 0x{rid:04X} claims "
                                  f"{size} bytes"))
            break
        if q + size > n:
            return out, data[pos:]
        if rid == 0x0404:
            out.append(data[q:q + size])
        pos = q + size + (size & 1)
    return out, b""


def _irb_tail_iim(tail: bytes) -> bytes | None:
    """The part of a cut 0x0404 resource that is present (for a partial reading)."""
    if len(tail) < 7 or tail[:4] not in IRB_SIGS:
        return None
    rid = struct.unpack(">H", tail[4:6])[0]
    q = 6 + 1 + tail[6]
    if (1 + tail[6]) % 2:
        q += 1
    if rid != 0x0404 or q + 4 > len(tail):
        return None
    return tail[q + 4:]


# --------------------------------------------------------------------------- JPEG

_JPEG_NAMES = {0xE1: "APP1", 0xEB: "APP11", 0xED: "APP13", 0xDA: "SOS", 0xFE: "COM"}


def _seg_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    return _JPEG_NAMES.get(marker, f"marker 0x{marker:02X}")


def _resync(src: _Src, pos: int) -> int | None:
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


def _read_jpeg(src: _Src, head: bytes) -> Blocks:
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
        part = _irb_tail_iim(app13_tail)
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


def _read_afcp(src: _Src, b: Blocks) -> None:
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


# --------------------------------------------------------------------------- TIFF

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


def _read_tiff(src: _Src, head: bytes) -> Blocks:
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


# --------------------------------------------------------------------------- PNG

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


def _read_png(src: _Src, head: bytes) -> Blocks:
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


# --------------------------------------------------------------------------- WebP

def _read_webp(src: _Src, head: bytes) -> Blocks:
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


# --------------------------------------------------------------------------- HEIF / AVIF

_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                b"mif2", b"miaf", b"MiHE", b"MiPr", b"jpeg"}


def _boxes(data: bytes, start: int, end: int):
    """(type, payload start, payload end) of the boxes in data[start:end]; stops when broken."""
    pos = start
    while pos + 8 <= end:
        size, btype = struct.unpack(">I4s", data[pos:pos + 8])
        hdr = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - pos
        if size < hdr or pos + size > end:
            yield btype, None, None
            return
        yield btype, pos + hdr, pos + size
        pos += size


def _read_bmff(src: _Src, head: bytes) -> Blocks:
    ftyp_size = struct.unpack(">I", head[:4])[0]
    if ftyp_size < 16 or ftyp_size > 4096:
        raise src.error("not an image (bad ftyp box)")
    ftyp = src.exact(0, ftyp_size, "the ftyp box")
    brands = {ftyp[8:12]} | {ftyp[i:i + 4] for i in range(16, ftyp_size - 3, 4)}
    if brands & _AVIF_BRANDS:
        fmt = "avif"
    elif brands & _HEIF_BRANDS:
        fmt = "heif"
    else:
        raise src.error("not an image (ISO BMFF file that is not HEIF/AVIF)")
    b = Blocks(format=fmt)
    # top-level boxes: find meta, note whether mdat exists
    pos = ftyp_size
    meta = None
    seen_mdat = False
    while pos + 8 <= src.size:
        hdr = src.read_at(pos, 16)
        size, btype = struct.unpack(">I4s", hdr[:8])
        hlen = 8
        if size == 1:
            if len(hdr) < 16:
                raise src.error(f"file ends inside a box header at offset {pos}")
            size = struct.unpack(">Q", hdr[8:16])[0]
            hlen = 16
        elif size == 0:
            size = src.size - pos
        if size < hlen:
            b.notices.append(Notice("damaged", f"{fmt}: box with bad size at offset {pos}"))
            break
        if pos + size > src.size:
            if btype == b"mdat":
                b.notices.append(Notice("damaged", f"{fmt}: file ends inside the image data"))
                seen_mdat = True
                break
            raise src.error(f"file ends inside the {btype.decode('latin-1')} box at offset {pos}")
        if btype == b"meta" and meta is None:
            meta = src.exact(pos + hlen, size - hlen, "the meta box")
        elif btype == b"mdat":
            seen_mdat = True
        pos += size
    if meta is None:
        raise src.error("no meta box (not a HEIF/AVIF image, or cut short)")
    if not seen_mdat:
        b.notices.append(Notice("damaged", f"{fmt}: no mdat box"))
    _heif_items(src, meta, b, fmt)
    return b


def _heif_items(src: _Src, meta: bytes, b: Blocks, fmt: str) -> None:
    items: dict[int, tuple[bytes, str]] = {}
    locs: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    idat = None
    for btype, s, e in _boxes(meta, 4, len(meta)):  # meta is a FullBox
        if s is None:
            b.notices.append(Notice("damaged", f"{fmt}: broken box inside meta"))
            break
        if btype == b"iinf":
            _parse_iinf(meta, s, e, items, b, fmt)
        elif btype == b"iloc":
            _parse_iloc(meta, s, e, locs, b, fmt)
        elif btype == b"idat":
            idat = (s, e)
    exif_n = xmp_n = 0
    for item_id, (itype, ctype) in sorted(items.items()):
        is_exif = itype == b"Exif"
        is_xmp = itype == b"mime" and ctype.split(";")[0].strip() in (
            "application/rdf+xml", "application/xmp+xml", "text/xml")
        is_c2pa = itype == b"mime" and ctype.strip() == "application/c2pa"
        if not (is_exif or is_xmp or is_c2pa):
            continue
        if item_id not in locs:
            b.notices.append(Notice("damaged", f"{fmt}: item {item_id} has no location"))
            continue
        method, extents = locs[item_id]
        total = sum(n for _, n in extents)
        if total > MAX_CHUNK:
            b.notices.append(Notice("damaged", f"{fmt}: item {item_id} implausibly large"))
            continue
        data = bytearray()
        for off, n in extents:
            if method == 1:
                if idat is None or idat[0] + off + n > idat[1]:
                    b.notices.append(Notice("damaged", f"{fmt}: item {item_id} outside idat"))
                    data = None
                    break
                data += meta[idat[0] + off: idat[0] + off + n]
            elif method == 0:
                if off + n > src.size:
                    raise src.error(f"file ends inside the {itype.decode('latin-1')} item")
                data += src.read_at(off, n)
            else:
                data = None
                break
        if data is None:
            continue
        data = bytes(data)
        if is_exif:
            if len(data) < 4:
                continue
            skip = struct.unpack(">I", data[:4])[0]
            body = data[4 + skip:] if 4 + skip <= len(data) else data[4:]
            if body[:4] not in (b"II*\0", b"MM\0*"):
                i = data.find(b"Exif\0\0")
                body = data[i + 6:] if i >= 0 else body
            exif_n += 1
            b.exif.append((f"{fmt}:Exif" if exif_n == 1 else f"{fmt}:Exif#{exif_n}", body))
        elif is_xmp:
            xmp_n += 1
            b.xmp.append((f"{fmt}:xmp" if xmp_n == 1 else f"{fmt}:xmp#{xmp_n}", data))
        else:
            b.jumbf.append((f"{fmt}:c2pa", data))


def _parse_iinf(meta: bytes, s: int, e: int, items: dict, b: Blocks, fmt: str) -> None:
    if s + 4 > e:
        return
    version = meta[s]
    p = s + 4 + (2 if version == 0 else 4)
    for btype, bs, be in _boxes(meta, p, e):
        if bs is None:
            b.notices.append(Notice("damaged", f"{fmt}: broken iinf box"))
            return
        if btype != b"infe" or bs + 4 > be:
            continue
        v = meta[bs]
        q = bs + 4
        if v < 2:
            continue
        if v == 2:
            item_id = struct.unpack(">H", meta[q:q + 2])[0]
            q += 2
        else:
            item_id = struct.unpack(">I", meta[q:q + 4])[0]
            q += 4
        q += 2  # protection index
        itype = meta[q:q + 4]
        q += 4
        name_end = meta.find(b"\0", q, be)
        ctype = ""
        if itype == b"mime" and name_end >= 0:
            ct_end = meta.find(b"\0", name_end + 1, be)
            ctype = meta[name_end + 1: ct_end if ct_end >= 0 else be].decode("latin-1")
        items[item_id] = (itype, ctype)


def _parse_iloc(meta: bytes, s: int, e: int, locs: dict, b: Blocks, fmt: str) -> None:
    try:
        version = meta[s]
        p = s + 4
        a, c = meta[p], meta[p + 1]
        off_size, len_size, base_size = a >> 4, a & 15, c >> 4
        idx_size = (c & 15) if version in (1, 2) else 0
        p += 2
        if version < 2:
            count = struct.unpack(">H", meta[p:p + 2])[0]
            p += 2
        else:
            count = struct.unpack(">I", meta[p:p + 4])[0]
            p += 4

        def uint(n):
            nonlocal p
            if n not in (0, 4, 8):
                raise ValueError("bad iloc field size")
            if p + n > e:
                raise ValueError("iloc cut short")
            v = int.from_bytes(meta[p:p + n], "big") if n else 0
            p += n
            return v

        for _ in range(min(count, 65536)):
            if version < 2:
                item_id = struct.unpack(">H", meta[p:p + 2])[0]
                p += 2
            else:
                item_id = uint(4)
            method = 0
            if version in (1, 2):
                method = struct.unpack(">H", meta[p:p + 2])[0] & 15
                p += 2
            p += 2  # data reference index
            base = uint(base_size)
            n_ext = struct.unpack(">H", meta[p:p + 2])[0]
            p += 2
            extents = []
            for _ in range(n_ext):
                if idx_size:
                    uint(idx_size)
                off = uint(off_size)
                ln = uint(len_size)
                extents.append((base + off, ln))
            if p > e:
                raise ValueError("iloc cut short")
            locs[item_id] = (method, extents)
    except (ValueError, struct.error, IndexError):
        b.notices.append(Notice("damaged", f"{fmt}: broken iloc box"))


# --------------------------------------------------------------------------- XMP file

def _read_xmp(src: _Src, head: bytes) -> Blocks:
    if src.size > MAX_XMP_FILE:
        raise src.error(f"XMP file too large ({src.size} bytes)")
    data = src.exact(0, src.size, "the XMP file")
    b = Blocks(format="xmp")
    b.xmp.append(("xmp-file", data))
    return b


_READERS = {
    "jpeg": _read_jpeg,
    "tiff": _read_tiff,
    "png": _read_png,
    "webp": _read_webp,
    "bmff": _read_bmff,
    "xmp": _read_xmp,
}
