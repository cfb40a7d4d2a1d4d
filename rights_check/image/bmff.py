"""ISO BMFF images (HEIF/HEIC, AVIF): the Exif, XMP and C2PA items of the meta box."""

from __future__ import annotations

import struct

from ..model import Notice
from ._source import MAX_CHUNK, Source
from .blocks import Blocks

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


def read_bmff(src: Source, head: bytes) -> Blocks:
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


def _heif_items(src: Source, meta: bytes, b: Blocks, fmt: str) -> None:
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
