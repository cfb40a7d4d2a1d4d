"""C2PA / CAWG training-and-mining assertions from JUMBF boxes (no signature verification).

A C2PA manifest store is a JUMBF superbox (``jumb``) labelled ``c2pa``; inside it each manifest
is a ``jumb``, holding a ``c2pa.assertions`` ``jumb``, holding one ``jumb`` per assertion whose
description box (``jumd``) carries its label and whose content box is ``cbor``. The assertion
``cawg.training-mining`` (or the older ``c2pa.training-mining``) is a CBOR map
``{"entries": {"cawg.ai_generative_training": {"use": "notAllowed"}, …}}``.

``parse_c2pa`` returns ``FieldSource("data_mining", "c2pa:<entry>", <use>)`` for every entry,
``FieldSource("data_mining_constraint", "c2pa:<entry>", <constraint_info>)`` when one is given,
and ``digital_source_type`` from ``c2pa.actions`` assertions. Every manifest in the store is
read (the active one and its ingredients'): a ban on the parent image still concerns a copy.
The box walker and the CBOR decoder are bounded: depth, item counts and lengths never exceed
what the bytes can hold, and damage becomes a notice.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from ..model import Notice
from .record import FieldSource

MAX_DEPTH = 32
_TRAINING = re.compile(r"^(?:cawg|c2pa)\.training-mining(?:__\d+)?$")
_ACTIONS = re.compile(r"^c2pa\.actions(?:\.v2)?(?:__\d+)?$")


class CBORError(ValueError):
    pass


# --- CBOR (RFC 8949), enough for C2PA assertions ----------------------------------------------

_BREAK = object()


def cbor_decode(data: bytes) -> Any:
    """Decode one CBOR item (maps → dict, arrays → list, tags → their content, bytes stay bytes)."""
    value, _ = _item(data, 0, 0)
    return value


def _length(data: bytes, pos: int, info: int) -> tuple[int | None, int]:
    if info < 24:
        return info, pos
    if info == 31:
        return None, pos  # indefinite
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or pos + size > len(data):
        raise CBORError(f"bad length at byte {pos}")
    return int.from_bytes(data[pos:pos + size], "big"), pos + size


def _item(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise CBORError("CBOR nested too deeply")
    if pos >= len(data):
        raise CBORError("CBOR ends early")
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if major == 7:
        if info == 31:
            return _BREAK, pos
        if info in (25, 26, 27):
            size = {25: 2, 26: 4, 27: 8}[info]
            if pos + size > len(data):
                raise CBORError("CBOR float ends early")
            fmt = {2: ">e", 4: ">f", 8: ">d"}[size]
            return struct.unpack(fmt, data[pos:pos + size])[0], pos + size
        n, pos = _length(data, pos, info)
        return {20: False, 21: True, 22: None, 23: None}.get(n, n), pos
    n, pos = _length(data, pos, info)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        if n is None:  # indefinite string: chunks until break
            chunks = []
            while True:
                chunk, pos = _item(data, pos, depth + 1)
                if chunk is _BREAK:
                    break
                chunks.append(chunk)
            return (b"" if major == 2 else "").join(chunks), pos
        if pos + n > len(data):
            raise CBORError("CBOR string longer than the data")
        raw = data[pos:pos + n]
        return (raw if major == 2 else raw.decode("utf-8", "replace")), pos + n
    if major == 6:
        return _item(data, pos, depth + 1)  # a tag: keep the content
    if n is not None and n > len(data) - pos:
        raise CBORError("CBOR container larger than the data")
    if major == 4:
        out: list[Any] = []
        while n is None or len(out) < n:
            v, pos = _item(data, pos, depth + 1)
            if v is _BREAK:
                if n is None:
                    break
                raise CBORError("unexpected break")
            out.append(v)
        return out, pos
    result: dict[Any, Any] = {}
    count = 0
    while n is None or count < n:
        k, pos = _item(data, pos, depth + 1)
        if k is _BREAK:
            if n is None:
                break
            raise CBORError("unexpected break")
        v, pos = _item(data, pos, depth + 1)
        if isinstance(k, (list, dict)):
            k = repr(k)
        result[k] = v
        count += 1
    return result, pos


# --- JUMBF boxes -----------------------------------------------------------------------------

def boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, payload start, payload end) of the ISO BMFF boxes in data[start:end]."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        head = 8
        if size == 1:
            if pos + 16 > end:
                raise CBORError("box header cut off")
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            head = 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            raise CBORError(f"box '{kind.decode('latin-1')}' at byte {pos} overruns its parent")
        yield kind.decode("latin-1"), pos + head, pos + size
        pos += size


def _label(data: bytes, start: int, end: int) -> str:
    """The label of a ``jumd`` description box (16-byte type UUID, toggles, label)."""
    if end - start < 17:
        return ""
    toggles = data[start + 16]
    if not toggles & 0x02:
        return ""
    raw = data[start + 17:end]
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _walk(data: bytes, start: int, end: int, path: tuple[str, ...], depth: int, found: list):
    if depth > MAX_DEPTH:
        raise CBORError("JUMBF nested too deeply")
    label = ""
    for kind, s, e in boxes(data, start, end):
        if kind == "jumd":
            label = _label(data, s, e)
        elif kind == "jumb":
            _walk(data, s, e, path + (label,), depth + 1, found)
        elif kind == "cbor":
            found.append((path + (label,), data[s:e]))


def assertions(data: bytes) -> list[tuple[tuple[str, ...], bytes]]:
    """(label path, CBOR bytes) of every CBOR content box in a JUMBF superbox."""
    found: list[tuple[tuple[str, ...], bytes]] = []
    _walk(data, 0, len(data), (), 0, found)
    return found


def parse_c2pa(jumbf: list[tuple[str, bytes]], *, notices: list[Notice] | None = None) -> list[FieldSource]:
    """Training-and-mining entries (and the digital source type) of C2PA manifest stores."""
    notes = notices if notices is not None else []
    out: list[FieldSource] = []
    for where, data in jumbf:
        try:
            found = assertions(data)
        except CBORError as exc:
            notes.append(Notice("damaged", f"{where}: JUMBF box structure damaged: {exc}"))
            continue
        for path, raw in found:
            label = path[-1] if path else ""
            try:
                if _TRAINING.match(label):
                    _training(cbor_decode(raw), out)
                elif _ACTIONS.match(label):
                    _actions(cbor_decode(raw), out)
            except (CBORError, RecursionError) as exc:
                notes.append(Notice("damaged", f"{where}: C2PA assertion {label} not readable: {exc}"))
    seen: set[FieldSource] = set()
    return [fs for fs in out if not (fs in seen or seen.add(fs))]


def _training(value: Any, out: list[FieldSource]) -> None:
    entries = value.get("entries") if isinstance(value, dict) else None
    if not isinstance(entries, dict):
        return
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(name, str):
            continue
        use = entry.get("use")
        if isinstance(use, str):
            out.append(FieldSource("data_mining", f"c2pa:{name}", use))
        info = entry.get("constraint_info") or entry.get("constraints_info")
        if isinstance(info, str) and info.strip():
            out.append(FieldSource("data_mining_constraint", f"c2pa:{name}", info))


def _actions(value: Any, out: list[FieldSource]) -> None:
    actions = value.get("actions") if isinstance(value, dict) else None
    if not isinstance(actions, list):
        return
    for action in actions:
        if isinstance(action, dict) and isinstance(action.get("digitalSourceType"), str):
            out.append(FieldSource("digital_source_type", "c2pa:c2pa.actions", action["digitalSourceType"].strip()))


def app11_jumbf(segments: list[bytes]) -> list[bytes]:
    """Join JPEG APP11 JUMBF payloads (``JP``, box instance, sequence number, box) into whole
    superboxes, one per box instance; continuation segments repeat the 8-byte box header."""
    parts: dict[int, list[tuple[int, bytes]]] = {}
    for seg in segments:
        if len(seg) < 16 or seg[:2] != b"JP":
            continue
        instance, seq = struct.unpack(">HI", seg[2:8])
        parts.setdefault(instance, []).append((seq, seg[8:]))
    out = []
    for instance in sorted(parts):
        chunks = sorted(parts[instance], key=lambda c: c[0])
        whole = chunks[0][1] + b"".join(c[16:] if c[:4] and struct.unpack(">I", c[:4])[0] == 1 else c[8:]
                                         for _, c in chunks[1:])
        out.append(whole)
    return out
