"""Read the caption and rights metadata of an image file (IPTC IIM, EXIF, XMP, C2PA, PNG text,
XMP sidecars) into an :class:`ImageRecord`, and turn a record into a parsed ``Caption``.

``read_image(path)`` opens the file read-only, never decodes pixels, and keeps every value with
the place it came from; ``caption_of(record)`` runs the restriction extraction over every
distinct source value of every text field, so a ban written only in one source still counts.
"""

from __future__ import annotations

import os
from types import MappingProxyType

from ..model import Caption, FieldValue, Notice, Restriction, freeze, thaw
from .record import FieldInfo, FieldSource, ImageRecord, reconcile

__all__ = ["read_image", "caption_of", "ImageRecord", "FieldInfo", "FieldSource", "is_image"]

# PNG text keywords -> logical fields (the others are kept under their own name)
_PNG_TEXT = {"title": "headline", "description": "caption", "comment": "caption",
             "copyright": "copyright", "author": "byline", "source": "source",
             "disclaimer": "usage_terms", "warning": "special_instructions"}

# Fields whose words can state a restriction; the machine-readable ones (dates, PLUS codes,
# C2PA entries) are turned into restrictions by ``machine.py`` instead.
TEXT_FIELDS = ("caption", "headline", "title", "special_instructions", "usage_terms", "copyright",
               "credit", "source", "byline", "web_statement", "license_url", "attribution_name")
_CREDIT_FIELDS = {"credit": "credit", "source": "source", "byline": "byline", "copyright": "copyright"}


def is_image(head: bytes) -> bool:
    """Whether the first bytes of a file are an image or XMP format rights_check reads."""
    from .containers import sniff

    return sniff(head) is not None


def read_image(path: str | os.PathLike[str]) -> ImageRecord:
    """Every caption and rights value of an image file and its sidecars, reconciled.

    Raises ``InputError`` (one line naming the file) when the file cannot be read or its
    metadata is cut off; damage inside complete segments becomes a ``damaged`` notice."""
    return read_image_digest(path)[0]


def read_image_digest(path: str | os.PathLike[str]) -> tuple[ImageRecord, str | None]:
    """``read_image`` and the file's SHA-256 when the file was small enough to be read whole
    (None otherwise). Raises ``containers.NotAnImage`` when the content is no image format."""
    from .c2pa import parse_c2pa
    from .containers import read_blocks
    from .exif import parse_exif
    from .iptc import parse_iim
    from .record import find_sidecars, read_sidecar
    from .xmp import parse_xmp

    blocks = read_blocks(path)
    notices: list[Notice] = list(blocks.notices)
    sources: list[FieldSource] = []
    iim = parse_iim(blocks.iptc)
    notices.extend(iim.notices)
    for field, items in iim.fields.items():
        sources.extend(FieldSource(field, source, value) for source, value in items)
    sources.extend(FieldSource(*item) for item in parse_exif(blocks.exif, notices))
    sources.extend(parse_xmp(blocks.xmp, "xmp", notices=notices))
    sources.extend(parse_xmp(blocks.xmp_extended, "xmp-ext", notices=notices))
    sources.extend(parse_c2pa(blocks.jumbf, notices=notices))
    for keyword, text in blocks.text:
        field = _PNG_TEXT.get(keyword.casefold(), keyword.casefold().replace(" ", "_"))
        sources.append(FieldSource(field, f"png:{keyword}", text))
    for sidecar in find_sidecars(path):
        sources.extend(read_sidecar(sidecar, notices))
    return reconcile(sources, notices, path=os.fspath(path), format=blocks.format), blocks.sha256


def _texts(record: ImageRecord) -> dict[str, str]:
    """The text fields to read: each field's preferred value under its own name, and every
    other distinct source value as ``field[source]`` (evidence offsets index these texts)."""
    texts: dict[str, str] = {}
    for name in TEXT_FIELDS:
        info = record.fields.get(name)
        if info is None:
            continue
        texts[name] = info.value
        seen = {" ".join(info.value.split())}
        for source, value in info.sources:
            key = " ".join(value.split())
            if key and key not in seen:
                seen.add(key)
                texts[f"{name}[{source}]"] = value
    return texts


def _combine(stated: tuple[Restriction, ...], machine: tuple[Restriction, ...]) -> tuple[Restriction, ...]:
    """One restriction per type from the words and the machine-readable values together."""
    by_type = {r.type: r for r in stated}
    order = [r.type for r in stated]
    for m in machine:
        r = by_type.get(m.type)
        if r is None:
            by_type[m.type] = m
            order.append(m.type)
            continue
        value = thaw(r.value) if r.value is not None else None
        extra = thaw(m.value) if m.value is not None else None
        if isinstance(value, dict) and isinstance(extra, dict):
            for key, v in extra.items():
                if isinstance(v, list) and isinstance(value.get(key), list):
                    value[key] = value[key] + [x for x in v if x not in value[key]]
                elif value.get(key) in (None, False) and v not in (None, False):
                    value[key] = v
        elif value is None:
            value = extra
        evidence = r.evidence + tuple(e for e in m.evidence if e not in r.evidence)
        implied = () if (r.stated or m.stated) else tuple(dict.fromkeys(r.implied_by + m.implied_by))
        by_type[m.type] = Restriction(r.type, freeze(value), evidence, implied)
    return tuple(by_type[t] for t in order)


def caption_of(record: ImageRecord, *, detector=None) -> Caption:
    """The parsed caption of an image record: segments, restrictions from the words of every
    source and from its machine-readable values, the credit fields, and all notices."""
    from ..caption import parse_fields

    parsed = parse_fields(_texts(record), source=record.path, detector=detector,
                          notices=tuple(record.notices))
    fields = dict(parsed.fields)
    for name, kind in _CREDIT_FIELDS.items():
        info = record.fields.get(name)
        if info is not None and info.value.strip():
            item = FieldValue(kind, info.value, info.value.strip(), name, 0, len(info.value))
            fields[kind] = (item,) + tuple(v for v in fields.get(kind, ()) if v.value != item.value)
    restrictions = _combine(parsed.restrictions, record.restrictions)
    return Caption(texts=parsed.texts, segments=parsed.segments, restrictions=restrictions,
                   fields=MappingProxyType(fields), notices=parsed.notices, source=record.path)

