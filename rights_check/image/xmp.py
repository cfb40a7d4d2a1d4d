"""XMP packets → field values, namespace-aware and tolerant of what real writers produce.

``parse_xmp`` takes the packets of one file (``Blocks.xmp``, ``Blocks.xmp_extended`` or a
sidecar) and returns one :class:`~rights_check.image.record.FieldSource` per value found in a
rights-bearing property. Every language alternative is its own source
(``xmp:dc:description[ko-KR]``); bags and sequences are joined with ``"; "`` (the MWG list
separator); structures are flattened to ``struct/field`` paths (``plus:Licensor/plus:LicensorName``).

What is handled: UTF-8, UTF-16 LE/BE and UTF-32 packets with or without a BOM; a legacy
encoding the packet declares (``<?xml … encoding="ISO-8859-1"?>``); a packet that is not valid
UTF-8 and declares nothing else (its other bytes are read as cp1252, with an ``encoding_guess``
notice per field touched); an empty root closed by ``/>``; junk, padding
and ``<?xpacket?>`` wrappers around the packet; properties written as attributes of
``rdf:Description`` (and of ``rdf:li`` / property elements, for structures); ``rdf:Alt``,
``rdf:Bag``, ``rdf:Seq``, ``rdf:parseType="Resource"``, nested ``rdf:Description``,
``rdf:resource`` URIs and ``rdf:value`` qualifiers. The parser is ``defusedxml``: a packet
with a DTD or entity declarations (an "XMP bomb") is refused, and any packet that cannot be
parsed becomes a ``damaged`` notice instead of an exception.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as DET

from ..model import Notice
from .iptc import decode_cp1252
from .record import FieldSource

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"

NAMESPACES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
    "http://creativecommons.org/ns#": "cc",
    "http://web.resource.org/cc/": "cc",          # the pre-2008 ccREL namespace
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xmp/note/": "xmpNote",
}
"""Namespace URI → the prefix used in source names, whatever prefix the packet declares."""

# Logical field of each property path (canonical qualified names joined with "/").
FIELDS: dict[str, str] = {
    "dc:description": "caption",
    "dc:title": "title",
    "dc:rights": "copyright",
    "dc:creator": "byline",
    "xmpRights:UsageTerms": "usage_terms",
    "xmpRights:WebStatement": "web_statement",
    "xmpRights:Marked": "rights_marked",
    "xmpRights:Owner": "rights_owner",
    "xmpRights:Certificate": "rights_certificate",
    "photoshop:Instructions": "special_instructions",
    "photoshop:Credit": "credit",
    "photoshop:Source": "source",
    "photoshop:Headline": "headline",
    "cc:license": "license_url",
    "cc:attributionName": "attribution_name",
    "cc:attributionURL": "attribution_url",
    "cc:morePermissions": "more_permissions",
    "cc:useGuidelines": "use_guidelines",
    "Iptc4xmpCore:AltTextAccessibility": "alt_text",
    "Iptc4xmpCore:ExtDescrAccessibility": "extended_description",
    "Iptc4xmpExt:DigitalSourceType": "digital_source_type",
    "Iptc4xmpExt:EmbdEncRightsExpr/Iptc4xmpExt:EncRightsExpr": "rights_expression",
    "Iptc4xmpExt:EmbdEncRightsExpr/Iptc4xmpExt:RightsExprEncType": "rights_expression_type",
    "Iptc4xmpExt:EmbdEncRightsExpr/Iptc4xmpExt:RightsExprLangId": "rights_expression_lang",
    "Iptc4xmpExt:LinkedEncRightsExpr/Iptc4xmpExt:LinkedRightsExpr": "linked_rights_expression",
    "Iptc4xmpExt:LinkedEncRightsExpr/Iptc4xmpExt:RightsExprEncType": "linked_rights_expression_type",
    "Iptc4xmpExt:LinkedEncRightsExpr/Iptc4xmpExt:RightsExprLangId": "linked_rights_expression_lang",
    "Iptc4xmpExt:ArtworkOrObject/Iptc4xmpExt:AOCopyrightNotice": "artwork_copyright_notice",
    "Iptc4xmpExt:ArtworkOrObject/Iptc4xmpExt:AOCurrentCopyrightOwnerName": "artwork_copyright_owner_name",
    "Iptc4xmpExt:ArtworkOrObject/Iptc4xmpExt:AOCurrentCopyrightOwnerId": "artwork_copyright_owner_id",
    "Iptc4xmpExt:ArtworkOrObject/Iptc4xmpExt:AOCurrentLicensorName": "artwork_licensor_name",
    "Iptc4xmpExt:ArtworkOrObject/Iptc4xmpExt:AOCurrentLicensorId": "artwork_licensor_id",
    "Iptc4xmpExt:AISystemUsed": "ai_system_used",
    "Iptc4xmpExt:AISystemVersionUsed": "ai_system_version_used",
    "Iptc4xmpExt:AIPromptInformation": "ai_prompt_information",
    "Iptc4xmpExt:AIPromptWriterName": "ai_prompt_writer_name",
}
# Every PLUS property is read; its field is the snake_case of its own name, except these.
PLUS_FIELDS = {
    "Version": "plus_version",
    "LicenseEndDate": "expiration_date",
    "ImageAlterationConstraints": "alteration_constraints",
    "DataMining": "data_mining",
}
# Top-level properties worth walking: a field's own property or the structure holding it.
_WANTED = frozenset(path.split("/", 1)[0] for path in FIELDS)
MAX_DEPTH = 24
MAX_PACKET = 16 * 1024 * 1024


def snake(name: str) -> str:
    """``LicensorTelephoneType1`` → ``licensor_telephone_type1``; ``LicensorURL`` → ``licensor_url``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@lru_cache(maxsize=4096)
def field_of(path: str) -> str | None:
    """The logical field of a property path, or None when it carries nothing we read."""
    if path in FIELDS:
        return FIELDS[path]
    if path.startswith("plus:"):
        local = path.rsplit("/", 1)[-1]
        if not local.startswith("plus:"):
            return None
        local = local[5:]
        return PLUS_FIELDS.get(local, snake(local))
    return None


# --- decoding the packet bytes ---------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be")]


def _encoding(data: bytes) -> tuple[str, int]:
    """The packet's encoding and the length of its BOM. A BOM may sit after leading junk (the
    ``<?xpacket begin="…"?>`` attribute carries one), so the first ``<`` decides when there is
    no BOM at the very start."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, len(bom)
    i = data.find(b"<")
    if i < 0:
        return "utf-8", 0
    # '<' followed by NULs, or NULs before it, tell the UTF-16/32 byte order.
    if data[i:i + 4] == b"<\0\0\0":
        return "utf-32-le", 0
    if i >= 3 and data[i - 3:i + 1] == b"\0\0\0<":
        return "utf-32-be", 0
    if i >= 1 and data[i - 1:i + 1] == b"\0<":
        return "utf-16-be", 0
    if data[i:i + 2] == b"<\0":
        return "utf-16-le", 0
    return "utf-8", 0


_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?x[ma]pmeta\b|<(?:[A-Za-z_][\w.-]*:)?RDF\b")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)
_TAG_NAME = re.compile(r"<([\w.:-]+)")


def _dtd(text: str, end: int | None = None) -> re.Match[str] | None:
    """The first ``<!DOCTYPE`` or ``<!ENTITY`` (any case) before ``end``. Packets almost never
    hold ``<!``, and finding it is many times faster than the case-blind search."""
    end = len(text) if end is None else end
    i = text.find("<!", 0, end)
    return None if i < 0 else _DTD.search(text, i, end)
# A whole start tag: its name, then attributes with quoted values (a value may hold ">").
_START_TAG = re.compile(r"""<[\w.:-]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_DECLARED = re.compile(rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler: the bytes that are not UTF-8 are read as cp1252 (every byte maps)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return decode_cp1252(exc.object[exc.start:exc.end]), exc.end


codecs.register_error("rights_check.cp1252", _cp1252_fallback)


def _declared_codec(body: bytes) -> str | None:
    """The codec an ``<?xml … encoding="…"?>`` declaration names, when it is a single-byte or
    legacy one (a UTF encoding is told by the BOM and the NULs instead)."""
    m = _DECLARED.search(body, 0, 512)
    if m is None:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return None
    return "cp1252" if name == "iso8859-1" else name  # its superset, as for IIM


def _xml_text(data: bytes, where: str, notices: list[Notice],
              guessed: list[str] | None = None) -> str | None:
    """The packet's text from its root element to the root's end. When the bytes are neither
    valid UTF-8 nor in an encoding they declare, the bytes that are not UTF-8 are read as
    cp1252 and a description of that guess is appended to ``guessed``."""
    enc, skip = _encoding(data)
    body = data[skip:]
    if enc.startswith("utf-16") and len(body) % 2:
        body = body[:-1]
    declared = _declared_codec(body) if enc == "utf-8" and not skip else None
    text = None
    if declared:
        try:
            text = decode_cp1252(body) if declared == "cp1252" else body.decode(declared)
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text = body.decode(enc)
        except UnicodeDecodeError:
            if enc == "utf-8":
                # Latin-1 / cp1252 bytes written by a tool that ignored XMP's UTF-8 rule
                text = body.decode(enc, errors="rights_check.cp1252")
                if guessed is not None:
                    guessed.append("UTF-8 where valid, cp1252 for the other bytes"
                                   if _UTF8_MULTIBYTE.search(body) else "cp1252")
            else:
                text = body.decode(enc, errors="replace")
                notices.append(Notice("damaged", f"{where}: the XMP packet is not valid "
                                      f"{enc.upper()}; undecodable bytes were replaced", None))
    text = text.replace("\ufeff", "")
    m = _START.search(text)
    if not m:
        if text.strip(" \t\r\n\0"):
            notices.append(Notice("damaged", f"{where}: no x:xmpmeta or rdf:RDF element in the XMP packet"))
        return None
    start = m.start()
    dtd = _dtd(text, start)
    if dtd:
        # keep the DTD so that defusedxml sees it and refuses it
        start = dtd.start()
    tag = _TAG_NAME.match(text, m.start()).group(1)
    end = text.rfind(f"</{tag}>")
    if end < 0:
        st = _START_TAG.match(text, m.start())
        if st and st.group(1):
            return text[start:st.end()]  # an empty root, closed by "/>": complete
        notices.append(Notice("damaged", f"{where}: the XMP packet ends before </{tag}>"))
        return text[start:]  # let the parser report what is wrong
    return text[start:end + len(tag) + 3]


# --- the RDF walk ----------------------------------------------------------------------------
# A node is ("text", value, lang) | ("alt", [(lang, value)]) | ("list", [node]) |
# ("struct", [(qname, node)])


@lru_cache(maxsize=4096)
def _qname(tag: str) -> str | None:
    if not tag.startswith("{"):
        return None
    uri, _, local = tag[1:].partition("}")
    prefix = NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else f"{{{uri}}}{local}"


_RDF_NS, _XML_NS = "{" + RDF + "}", "{" + XML + "}"
_LANG, _RESOURCE, _PARSE_TYPE = _XML_NS + "lang", _RDF_NS + "resource", _RDF_NS + "parseType"
_ALT, _LI, _DESCRIPTION, _VALUE = _RDF_NS + "Alt", _RDF_NS + "li", _RDF_NS + "Description", _RDF_NS + "value"
_LISTS = (_RDF_NS + "Bag", _RDF_NS + "Seq")


def _attr_props(el: Element) -> list[tuple[str, Any]]:
    out = []
    for k, v in el.attrib.items():
        if k.startswith(_RDF_NS) or k.startswith(_XML_NS) or not k.startswith("{"):
            continue
        out.append((_qname(k), ("text", v, None)))
    return out


def _value(el: Element, depth: int) -> Any:
    """The value node of a property element (or of an rdf:li)."""
    if depth > MAX_DEPTH:
        raise ValueError("XMP nested too deeply")
    attrib = el.attrib
    res = attrib.get(_RESOURCE)
    if res is not None:
        return ("text", res, attrib.get(_LANG))
    if attrib.get(_PARSE_TYPE) == "Resource":
        return _struct(el, list(el), depth)
    if len(el) == 0:
        props = _attr_props(el) if attrib else None
        if props:
            return ("struct", props)
        return ("text", el.text or "", attrib.get(_LANG))
    children = list(el)
    first = children[0]
    tag = first.tag
    if tag == _ALT:
        items = []
        for li in first:
            if li.tag != _LI:
                continue
            node = _value(li, depth + 1)
            items.append((li.get(_LANG) or "x-default", _text_of(node)))
        return ("alt", items)
    if tag in _LISTS:
        return ("list", [_value(li, depth + 1) for li in first if li.tag == _LI])
    if tag == _DESCRIPTION:
        return _struct(first, list(first), depth)
    return _struct(el, children, depth)


def _struct(el: Element, children: list[Element], depth: int) -> Any:
    fields = _attr_props(el)
    for child in children:
        q = _qname(child.tag)
        if q is None:
            continue
        if child.tag == _VALUE:
            return _value(child, depth + 1)  # a qualified simple value
        fields.append((q, _value(child, depth + 1)))
    return ("struct", fields)


def _text_of(node: Any) -> str:
    if node[0] == "text":
        return node[1]
    if node[0] == "alt":
        return node[1][0][1] if node[1] else ""
    if node[0] == "list":
        return "; ".join(_text_of(n) for n in node[1])
    return "; ".join(_text_of(n) for _, n in node[1])


def _flatten(node: Any, path: str) -> Iterator[tuple[str, str | None, str]]:
    """(path, lang or None, value) for every leaf; list items are joined per path and lang."""
    kind = node[0]
    if kind == "text":
        yield path, None, node[1]
    elif kind == "alt":
        for lang, v in node[1]:
            yield path, lang, v
    elif kind == "struct":
        for q, n in node[1]:
            yield from _flatten(n, f"{path}/{q}")
    else:
        if not node[1]:
            yield path, None, ""
            return
        grouped: dict[tuple[str, str | None], list[str]] = {}
        for item in node[1]:
            for p, lang, v in _flatten(item, path):
                grouped.setdefault((p, lang), []).append(v)
        for (p, lang), vs in grouped.items():
            yield p, lang, "; ".join(vs)


def _wanted(q: str | None) -> bool:
    return q is not None and (q in _WANTED or q.startswith("plus:"))


@lru_cache(maxsize=4096)
def _wanted_qname(name: str) -> str | None:
    """The qualified name of a property element or attribute worth reading, else None."""
    q = _qname(name)
    return q if _wanted(q) else None


def _properties(root: Element) -> Iterator[tuple[str, Any]]:
    """The rights-bearing properties of a packet; the rest (camera settings, edit history)
    are not walked, and attributes not read are passed over without making a node."""
    for desc in root.iter(_DESCRIPTION):
        for k, v in desc.attrib.items():
            q = _wanted_qname(k)  # rdf:about, xml:lang and unqualified names are never wanted
            if q is not None:
                yield q, ("text", v, None)
        for child in desc:
            q = _wanted_qname(child.tag)
            if q is not None:
                yield q, _value(child, 1)


def _parse(text: str) -> Element:
    """The packet's element tree. defusedxml refuses a packet that declares a DTD or
    entities; without a DTD there is nothing to defuse, so the C parser reads it (about twice
    as fast as the pure-Python one defusedxml has to use)."""
    if _dtd(text) is None:
        return ET.fromstring(text)
    return DET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def parse_packet(data: bytes, where: str, notices: list[Notice]) -> list[tuple[str, str | None, str]]:
    """Every (property path, lang, value) of one packet; a notice and [] when it is unreadable."""
    if len(data) > MAX_PACKET:
        notices.append(Notice("damaged", f"{where}: XMP packet of {len(data)} bytes not read (limit {MAX_PACKET})"))
        return []
    guessed: list[str] = []
    text = _xml_text(data, where, notices, guessed)
    if text is None:
        return []
    try:
        root = _parse(text)
    except defusedxml.DefusedXmlException as exc:
        notices.append(Notice("damaged", f"{where}: XMP packet refused: it declares a DTD or entities "
                              f"({type(exc).__name__}); nothing read from it"))
        return []
    except (ParseError, ValueError) as exc:
        notices.append(Notice("damaged", f"{where}: broken XMP, not read: {exc}"))
        return []
    out: list[tuple[str, str | None, str]] = []
    try:
        for q, node in _properties(root):
            out.extend(_flatten(node, q))
    except (ValueError, RecursionError) as exc:
        notices.append(Notice("damaged", f"{where}: XMP packet only partly read: {exc}"))
    if guessed:
        # one notice per field whose value the guess touched (the others are plain ASCII)
        flagged: set[str] = set()
        for path, _, value in out:
            fld = field_of(path)
            if fld is None or fld in flagged or value.isascii():
                continue
            flagged.add(fld)
            notices.append(Notice("encoding_guess", f"XMP {path} ({where}): the packet is not "
                                  f"valid UTF-8 and declares no encoding that fits its bytes; "
                                  f"decoded as {guessed[0]}", field=fld))
    return out


def parse_xmp(packets: list[tuple[str, bytes]], prefix: str = "xmp", *,
              notices: list[Notice] | None = None) -> list[FieldSource]:
    """Field values of XMP packets. ``prefix`` starts every source name (``xmp``, ``xmp-ext``,
    ``sidecar``); problems are appended to ``notices`` (never raised)."""
    notes = notices if notices is not None else []
    out: list[FieldSource] = []
    seen: dict[str, int] = {}
    for where, data in packets:
        for path, lang, value in parse_packet(data, where, notes):
            field = field_of(path)
            if field is None:
                continue
            if field == "media_summary_code":
                value = re.sub(r"\s+", "", value)  # writers fold the long code over lines
            source = f"{prefix}:{path}" + (f"[{lang}]" if lang is not None else "")
            n = seen.get(source, 0) + 1
            seen[source] = n
            if n > 1:
                # a repeated language alternative or a property in a second packet
                source = f"{source}#{n}"
            out.append(FieldSource(field, source, value))
    return out

