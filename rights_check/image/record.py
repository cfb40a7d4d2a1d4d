"""One image's metadata after reconciliation: every logical field with its preferred value and
every source it came from, the notices of the reading, and the machine-readable restrictions.

The preferred value follows the Metadata Working Group's *Guidelines for Handling Image
Metadata* 2.0, as ExifTool's MWG module implements them:

* description, copyright and creator (caption, copyright, byline): a non-blank EXIF value
  (ImageDescription, Copyright, Artist) wins; then
* XMP wins over IIM when there is no IIM, or when the IPTC digest (Photoshop resource 0x0425)
  is absent or matches the IIM block (the XMP was written in sync with it);
* when the digest does not match (a tool that does not know XMP changed the IIM), IIM wins —
  unless the IIM value is a copy of the XMP value cut at its byte limit, or was decoded by a
  charset guess while the XMP (always Unicode) has the text in non-ASCII characters;
* a sidecar's XMP stands in for embedded XMP only when the image has none for that field;
* everything else (other EXIF tags, PNG text, C2PA) only when nothing above has a value.

Sources that disagree after whitespace normalisation give a ``field_conflict`` notice; an IIM
value that is a prefix of another source's value gives a ``truncated`` notice instead.
"""

from __future__ import annotations

import os
from functools import lru_cache
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from ..model import Notice, Restriction


class FieldSource(NamedTuple):
    """One value of one logical field, as one place in the file states it."""

    field: str
    """Logical field (contract §5): caption, headline, special_instructions, usage_terms, …"""
    source: str
    """Where it came from: ``iptc:2:120``, ``exif:ImageDescription``,
    ``xmp:dc:description[ko-KR]``, ``xmp-ext:…``, ``sidecar:…``, ``c2pa:…``."""
    value: str


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A logical field: its preferred value and every source's own value, in file order."""

    name: str
    value: str
    sources: tuple[tuple[str, str], ...]
    preferred_source: str = ""

    @property
    def alternatives(self) -> Mapping[str, str]:
        """The XMP language alternatives by language tag (``x-default``, ``ko-KR``…)."""
        out: dict[str, str] = {}
        for source, value in self.sources:
            lang = _lang(source)
            if lang and lang not in out:
                out[lang] = value
        return MappingProxyType(out)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.preferred_source or self.sources[0][0],
                "sources": [{"source": s, "value": v} for s, v in self.sources]}


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """What an image file says about its rights."""

    path: str | None
    format: str
    fields: Mapping[str, FieldInfo]
    notices: tuple[Notice, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    """Restrictions read from machine-readable values (PLUS, C2PA, IIM dates, CC URLs)."""

    def value(self, name: str) -> str | None:
        info = self.fields.get(name)
        return info.value if info else None

    @property
    def texts(self) -> Mapping[str, str]:
        """Preferred value of every field (for the caption/restriction pipeline)."""
        return MappingProxyType({k: f.value for k, f in self.fields.items()})

    def to_dict(self) -> dict[str, Any]:
        """Contract §5 ``read`` shape: ``{"caption": {"value": …, "sources": [{source, value}]}}``."""
        return {name: info.to_dict() for name, info in self.fields.items()}

    def to_report_dict(self) -> dict[str, Any]:
        """The whole record: path, format, fields, notices and machine-read restrictions."""
        return {"source": self.path, "format": self.format, "fields": self.to_dict(),
                "notices": [n.to_dict() for n in self.notices],
                "restrictions": [r.to_dict() for r in self.restrictions]}


# --- helpers ---------------------------------------------------------------------------------



def _norm(value: str) -> str:
    """Whitespace-normalised NFC text (the comparison form)."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


_SOURCE_LANG = re.compile(r"\[([^\]]+)\](?:#\d+)?$")


@lru_cache(maxsize=4096)
def _lang(source: str) -> str | None:
    m = _SOURCE_LANG.search(source)
    return m.group(1) if m else None


@lru_cache(maxsize=4096)
def family(source: str) -> str:
    """``xmp`` (embedded or extended XMP), ``sidecar``, ``iptc``, ``exif``, ``c2pa`` or the prefix."""
    head = source.split(":", 1)[0].lower()
    if head in ("xmp", "xmp-ext"):
        return "xmp"
    if head.startswith("iptc") or head == "iim":
        return "iptc"
    if head.startswith("exif"):
        return "exif"
    return head


MWG_EXIF = {"caption": ("exif:ImageDescription",), "copyright": ("exif:Copyright",),
            "byline": ("exif:Artist",)}
"""Fields whose native EXIF tag MWG prefers (when non-blank)."""


def _is_alt_other(source: str) -> bool:
    """A language alternative other than x-default (a translation, not a competing value)."""
    lang = _lang(source)
    return lang is not None and lang.lower() != "x-default"


def _family_value(items: list[tuple[str, str]], fam: str) -> tuple[str, str] | None:
    """The family's own preferred (source, value): the first x-default / untagged value."""
    cands = [(s, v) for s, v in items if family(s) == fam]
    if not cands:
        return None
    for s, v in cands:
        if not _is_alt_other(s) and _norm(v):
            return s, v
    for s, v in cands:
        if _norm(v):
            return s, v
    return cands[0]


def _non_ascii_guess(field: str, notices: Iterable[Notice]) -> bool:
    return any(n.kind == "encoding_guess" and n.field in (None, field) for n in notices)


def _prefer(field: str, items: list[tuple[str, str]], digest: str | None,
            notices: list[Notice]) -> tuple[str, str]:
    for name in MWG_EXIF.get(field, ()):
        for s, v in items:
            if s.split("#")[0] == name and _norm(v):
                return s, v
    xmp = _family_value(items, "xmp") or _family_value(items, "sidecar")
    iim = _family_value(items, "iptc")
    if xmp and not iim:
        return xmp
    if iim and not xmp:
        return iim
    if xmp and iim:
        if digest in (None, "match"):
            return xmp
        x, i = _norm(xmp[1]), _norm(iim[1])
        limit = IIM_LIMITS.get(field)
        if i and x.startswith(i) and len(x) > len(i) and (limit is None or len(i.encode()) >= limit - 3):
            return xmp  # IIM cut at its byte limit
        if _non_ascii_guess(field, notices) and not x.isascii():
            return xmp
        return iim
    for fam in ("exif", "png", "c2pa"):
        got = _family_value(items, fam)
        if got:
            return got
    for s, v in items:
        if _norm(v):
            return s, v
    return items[0]


def _short(text: str, n: int = 60) -> str:
    text = _norm(text)
    return text if len(text) <= n else text[: n - 1] + "…"


IIM_LIMITS = {"caption": 2000, "headline": 256, "special_instructions": 256, "copyright": 128,
              "credit": 32, "source": 32, "byline": 32, "title": 64}
"""IIM dataset byte limits: a value that reaches its limit (within one UTF-8 character) and is
a prefix of another source's value was cut by the writer."""


def _compare(field: str, items: list[tuple[str, str]], notices: list[Notice]) -> list[Notice]:
    """field_conflict / truncated notices for one field's sources."""
    # one comparison value per source name (a repeated IIM dataset is one list)
    per_source: dict[str, list[str]] = {}
    for s, v in items:
        if _is_alt_other(s):
            continue
        per_source.setdefault(s, []).append(v)
    values = [(s, _norm("; ".join(vs))) for s, vs in per_source.items()]
    values = [(s, v) for s, v in values if v]
    out: list[Notice] = []
    truncated = {n.field for n in notices if n.kind == "truncated"}
    cut: set[str] = set()
    limit = IIM_LIMITS.get(field)
    for s, v in values:
        if family(s) != "iptc":
            continue
        if limit is not None and len(v.encode("utf-8")) < limit - 3:
            continue  # shorter than the dataset's limit: a different value, not a cut one
        for s2, v2 in values:
            if s2 != s and len(v2) > len(v) and v2.startswith(v):
                cut.add(s)
                if field not in truncated:
                    truncated.add(field)
                    out.append(Notice("truncated", f"{field}: {s} holds only the first {len(v)} "
                                      f"characters of {s2} ('{_short(v, 40)}')", field))
                break
    distinct: dict[str, list[str]] = {}
    for s, v in values:
        if s in cut:
            continue
        distinct.setdefault(v, []).append(s)
    if len(distinct) > 1:
        parts = "; ".join(f"{', '.join(ss)} = '{_short(v)}'" for v, ss in distinct.items())
        sidecar = any(family(s) == "sidecar" for ss in distinct.values() for s in ss)
        what = "the sidecar and the image disagree" if sidecar else "sources disagree"
        out.append(Notice("field_conflict", f"{field}: {what}: {parts}", field))
    return out


def reconcile(sources: Iterable[FieldSource | tuple[str, str, str]], notices: Iterable[Notice] = (), *,
              path: str | os.PathLike[str] | None = None, format: str = "unknown",
              iptc_digest: str | None = None) -> ImageRecord:
    """Build the record of one image from all its field sources.

    ``iptc_digest`` is the state of Photoshop resource 0x0425: ``None`` (absent), ``"match"``
    (equal to the MD5 of the IIM block) or ``"mismatch"``. Restrictions are read from every
    source's machine-readable values (see :mod:`rights_check.image.machine`).
    """
    from .machine import machine_restrictions

    notes = list(notices)
    by_field: dict[str, list[tuple[str, str]]] = {}
    all_sources: list[FieldSource] = []
    for fs in sources:
        if type(fs) is not FieldSource:
            fs = FieldSource(*fs)
        if fs.value is None:
            continue
        by_field.setdefault(fs.field, []).append((fs.source, str(fs.value)))
        all_sources.append(fs)
    fields: dict[str, FieldInfo] = {}
    new: list[Notice] = []
    for name, items in by_field.items():
        if len(items) == 1:  # one source: nothing to prefer or compare
            s, v = items[0]
        else:
            s, v = _prefer(name, items, iptc_digest, notes)
            new.extend(_compare(name, items, notes))
        fields[name] = FieldInfo(name, v, tuple(items), s)
    restrictions = machine_restrictions(all_sources)
    return ImageRecord(str(path) if path is not None else None, format,
                       MappingProxyType(fields), tuple(notes + new), restrictions)


# --- sidecars --------------------------------------------------------------------------------

MAX_SIDECAR = 16 * 1024 * 1024


@lru_cache(maxsize=64)
def _folder_sidecars(folder: str, mtime_ns: int) -> dict[str, list[str]]:
    """A folder's ``.xmp`` file names by their case-folded form; cached per folder and change
    time, so a batch over one folder lists it once instead of once per photo."""
    names: dict[str, list[str]] = {}
    try:
        for n in sorted(os.listdir(folder)):
            folded = n.casefold()
            if folded.endswith(".xmp"):
                names.setdefault(folded, []).append(n)
    except OSError:
        pass
    return names


def find_sidecars(path: str | os.PathLike[str]) -> list[Path]:
    """XMP sidecars of an image: ``photo.xmp`` then ``photo.jpg.xmp`` beside it, matched
    case-insensitively (``PHOTO.XMP``, ``photo.JPG.Xmp``). An ``.xmp`` file has none."""
    name = os.fspath(path)
    if name.casefold().endswith(".xmp"):
        return []
    folder = os.path.dirname(name) or "."
    try:
        mtime = os.stat(folder).st_mtime_ns
    except OSError:
        return []
    names = _folder_sidecars(folder, mtime)
    if not names:  # the common case: no sidecars in the folder at all
        return []
    p = Path(name)
    found: list[Path] = []
    for want in (f"{p.stem}.xmp".casefold(), f"{p.name}.xmp".casefold()):
        for n in names.get(want, ()):
            cand = p.parent / n
            if cand.is_file() and cand not in found:
                found.append(cand)
    return found


def find_sidecar(path: str | os.PathLike[str]) -> Path | None:
    """The first sidecar of :func:`find_sidecars`, or None."""
    found = find_sidecars(path)
    return found[0] if found else None


def read_sidecar(path: str | os.PathLike[str], notices: list[Notice] | None = None,
                 prefix: str = "sidecar") -> list[FieldSource]:
    """Field values of a sidecar file (source names start ``sidecar:``); problems → notices."""
    from .xmp import parse_xmp

    notes = notices if notices is not None else []
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SIDECAR + 1)
    except OSError as exc:
        notes.append(Notice("damaged", f"{path}: sidecar not readable: {exc.strerror or exc}"))
        return []
    if len(data) > MAX_SIDECAR:
        notes.append(Notice("damaged", f"{path}: sidecar larger than {MAX_SIDECAR} bytes, not read"))
        return []
    return parse_xmp([(f"sidecar:{Path(path).name}", data)], prefix, notices=notes)
