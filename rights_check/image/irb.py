"""Photoshop image resource blocks (IRB): the IIM they carry in JPEG APP13, TIFF tag 34377 and
PNG raw profiles."""

from __future__ import annotations

import struct

from ..model import Notice
from ._source import MAX_CHUNK

IRB_SIGS = (b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa")


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


def irb_tail_iim(tail: bytes) -> bytes | None:
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
