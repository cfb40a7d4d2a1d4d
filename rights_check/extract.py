"""Find the restrictions a text states: run every phrase over every field, drop what an
``ignore`` entry explains away, give each match its value, merge repeats, expand licences.

Matching never depends on the detected language: all phrase files run over all text, and a
finding's ``lang`` is the language of the phrase that matched.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .anchors import AnchorIndex, fold
from .model import Evidence, Restriction, RestrictionType, Segment, freeze
from .phrases import GROUP_SUFFIX, REQUIRED_KEYS, TEXT_VALUED, VALUE_KEYS, Phrase, load_phrases
from .regexcache import module_pattern
from .segment import SegmentLangs
from .values import RESOLVERS, license_parts

TYPE_ORDER = {t.value: i for i, t in enumerate(RestrictionType)}
# Value keys whose items accumulate over several statements of one restriction.
LIST_KEYS = ("territories", "media", "forbidden", "parties")


@dataclass(slots=True)
class _Hit:
    type: str
    value: dict[str, Any]
    evidence: Evidence
    order: tuple[int, int, int]

    def at_field_index(self, index: int) -> "_Hit":
        """The same statement ordered as the ``index``-th field's."""
        return _Hit(self.type, self.value, self.evidence, (index,) + self.order[1:])


class _Spans:
    """Ignore matches, asked "does one of type T overlap [start, end)?" in logarithmic time."""

    def __init__(self, spans):
        self.spans = sorted(spans, key=lambda s: s[0])
        self.starts = [s[0] for s in self.spans]
        self.longest = max((e - s for s, e, _ in self.spans), default=0)

    def covers(self, start: int, end: int, type_: str) -> bool:
        # only spans starting in (start - longest, end) can overlap
        lo = bisect.bisect_right(self.starts, start - self.longest - 1)
        hi = bisect.bisect_left(self.starts, end)
        return any(s < end and start < e and type_ in types for s, e, types in self.spans[lo:hi])


def _value(phrase: Phrase, type_: str, m, defaults: Mapping[str, Any]) -> dict[str, Any] | None:
    """The value one match gives one type; None when a required value does not resolve."""
    keys = VALUE_KEYS.get(type_, {})
    value: dict[str, Any] = {k: v for k, v in phrase.value.items() if k in keys}
    for group, words in m.groupdict().items():
        key = GROUP_SUFFIX.sub("", group)
        if words is None or key not in keys:
            continue
        kind = keys[key]
        if kind == "flag":
            value[key] = True
            continue
        if kind == "datetime":
            # Korean, Japanese, Chinese notices give local times (KST/JST/CST) unless a zone is named
            offset = {"ko": "+09:00", "ja": "+09:00", "zh": "+08:00"}.get(phrase.lang)
            resolved = RESOLVERS[kind](words, default_offset=offset, **defaults)
        else:
            resolved = RESOLVERS[kind](words)
        if resolved is not None:
            if isinstance(resolved, tuple) and isinstance(value.get(key), tuple):
                # two groups of one match fill one list ("media" and "media__2")
                resolved = value[key] + tuple(x for x in resolved if x not in value[key])
            value[key] = resolved
    if type_ in TEXT_VALUED:
        value.setdefault("text", RESOLVERS["text"](m.group()))
    required = REQUIRED_KEYS.get(type_)
    if required and not value.get(required):
        return None
    return value


def _scan(phrases: tuple[Phrase, ...], parts: tuple[tuple[int, int], ...], index: AnchorIndex,
          hay: str, found: set[str], text: str):
    """(phrase, match) for every match of the phrases whose anchors occur, in phrase order;
    ``hay`` is the text case-folded without whitespace, as the anchors are, and ``found`` the
    anchor literals it holds."""
    by_phrase: dict[int, list[int]] = {}
    for entry in index.candidates(hay, found):
        i, j = parts[entry]
        by_phrase.setdefault(i, []).append(j)
    for i in sorted(by_phrase):
        phrase = phrases[i]
        matches = [m for j in by_phrase[i] for m in phrase.parts[j].regex.finditer(text) if m.end() > m.start()]
        if len(matches) > 1 and len(by_phrase[i]) > 1:
            # alternatives ran apart: keep the leftmost-longest of overlapping matches
            matches.sort(key=lambda m: (m.start(), -m.end()))
            kept: list = []
            for m in matches:
                if not kept or m.start() >= kept[-1].end():
                    kept.append(m)
            matches = kept
        for m in matches:
            yield phrase, m


CHUNK = 2000
OVERLAP = 500
LIST_TEXT_LIMIT = 200_000  # lists are looked for in terms and captions, not in huge texts


def chunks(text: str) -> list[tuple[int, int, int]]:
    """(start, core end, end) windows over a long text, cut at line breaks where possible.

    Phrases run window by window, so each window's own anchors decide which run: a long text
    costs what its parts cost, not every phrase over all of it. A match is kept by the window
    its start lies in; windows overlap by OVERLAP characters, longer than any statement."""
    if len(text) <= CHUNK:
        return [(0, len(text), len(text))]
    out = []
    start = 0
    while start < len(text):
        cut = min(len(text), start + CHUNK)
        if cut < len(text):
            newline = text.find("\n", cut, cut + 2000)
            if newline == -1:
                space = text.rfind(" ", start + CHUNK // 2, cut)
                newline = space if space != -1 else cut
            cut = newline + 1 if text[newline:newline + 1] in ("\n", " ") else newline
        out.append((start, cut, min(len(text), cut + OVERLAP)))
        start = cut
    return out


# A list item: a bullet, a number or letter, or a circled number, then the item's words.
_ITEM = module_pattern(r"[ \t]*(?:[•·●○■□▪◦・\-\*–—]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|[①-⑳])[ \t]+(?P<words>\S[^\n]*)")
LIST_ITEMS = 40  # items read under one heading at most
_ITEM_LINE = module_pattern(r"\n" + _ITEM.pattern)  # a text without one has no list to read


def _list_hits(data, field: str, text: str, hay: str, langs, defaults, order_base: int):
    """Restrictions stated as bullet items under a heading that bans what follows ("You may
    not use the images for: • Print covers • Advertisements"): each item is read with the item
    entries; the evidence is the item's words."""
    for heading in data.headings:
        if not any(all(any(a in hay for a in group) for group in part.anchors) for part in heading.parts):
            continue
        for hm in heading.regex.finditer(text):
            pos = text.find("\n", hm.end())
            count = 0
            while pos != -1 and count < LIST_ITEMS:
                line_end = text.find("\n", pos + 1)
                line = text[pos + 1: line_end if line_end != -1 else len(text)]
                if not line.strip():
                    pos = line_end
                    continue
                im = _ITEM.match(line)
                if im is None:
                    break  # the list ended
                count += 1
                start = pos + 1 + im.start("words")
                words = im.group("words").rstrip()
                for item in data.items:
                    m = item.regex.search(words)
                    if m is None:
                        continue
                    for type_ in item.types:
                        value = _value(item, type_, m, defaults)
                        if value is None:
                            continue
                        ev = Evidence(field, start, start + len(words), words, heading.lang,
                                      f"{heading.key}/{item.key}")
                        yield _Hit(type_, value, ev, (order_base, start, TYPE_ORDER[type_]))
                pos = line_end


def find_restrictions(texts: Mapping[str, str], segments: tuple[Segment, ...], *,
                      defaults: Mapping[str, Any] | None = None) -> tuple[Restriction, ...]:
    """Every restriction the fields state or a licence implies, in reading order."""
    hits: list[_Hit] = []
    for field_index, (field, text) in enumerate(texts.items()):
        hits.extend(field_hits(field, text, segments, defaults, field_index))
    return merge_hits(hits)


def field_hits(field: str, text: str, segments: tuple[Segment, ...],
               defaults: Mapping[str, Any] | None = None, field_index: int = 0) -> list[_Hit]:
    """The statements of one field (before merging), ordered within the field by
    ``field_index``; ``segments`` need only cover this field."""
    if not text:
        return []
    data = load_phrases()
    defaults = dict(defaults or {})
    hits: list[_Hit] = []
    langs = SegmentLangs(segments, field)
    windows = chunks(text)
    lists = bool(data.headings) and len(text) <= LIST_TEXT_LIMIT and _ITEM_LINE.search(text) is not None
    whole = "".join(fold(text).split()) if len(windows) == 1 or lists else ""
    if lists:
        hits.extend(_list_hits(data, field, text, whole, langs, defaults, field_index))
    for lo, core, hi in windows:
        part = text[lo:hi]
        hay = whole if len(windows) == 1 else "".join(fold(part).split())
        found = data.all_index.present(hay)
        matches = list(_scan(data.phrases, data.phrase_parts, data.phrase_index, hay, found, part))
        if not matches:
            continue  # nothing stated here: the ignores need not run
        ignored = _Spans((m.start(), m.end(), ph.types) for ph, m in
                         _scan(data.ignores, data.ignore_parts, data.ignore_index, hay, found, part))
        for phrase, m in matches:
            start, end = m.span()
            if lo + start >= core:
                continue  # the next window owns it
            lang = phrase.lang if phrase.lang != "und" else langs.at(lo + start)
            ev = Evidence(field, lo + start, lo + end, m.group(), lang, phrase.key)
            values = {t: _value(phrase, t, m, defaults) for t in phrase.types}
            if any(v is None for v in values.values()):
                continue  # one statement: if its key value does not resolve, none of it holds
            for type_, value in values.items():
                if ignored.covers(start, end, type_):
                    continue
                hits.append(_Hit(type_, value, ev, (field_index, lo + start, TYPE_ORDER[type_])))
    return hits


def merge_hits(hits: list[_Hit]) -> tuple[Restriction, ...]:
    """One restriction per type from the statements of all fields, licences expanded."""
    hits.sort(key=lambda h: h.order)
    by_type: dict[str, tuple[dict[str, Any], list[Evidence], tuple[int, int, int]]] = {}
    seen: set[tuple[str, Evidence]] = set()
    for h in hits:
        if h.type not in by_type:
            by_type[h.type] = ({}, [], h.order)
        value, evidence, _ = by_type[h.type]
        _merge_value(h.type, value, h.value)
        key = (h.type, h.evidence)
        if key not in seen:
            seen.add(key)
            evidence.append(h.evidence)
    # A licence implies its parts; a part stated in words as well keeps both origins.
    lic = by_type.get("license")
    implied: dict[str, list[str]] = {}
    if lic:
        for ident in _license_ids(lic[0]):
            for part in license_parts(ident):
                implied.setdefault(part, []).append(ident)
                if part not in by_type:
                    by_type[part] = ({}, list(lic[1]), lic[2])
    out = []
    for type_, (value, evidence, order) in sorted(by_type.items(), key=lambda kv: (kv[1][2], TYPE_ORDER[kv[0]])):
        stated = any(h.type == type_ for h in hits)
        out.append(Restriction(
            type=RestrictionType(type_),
            value=freeze(_final_value(type_, value)),
            evidence=tuple(sorted(evidence, key=lambda e: (e.field != "caption", e.field, e.start, e.end))),
            implied_by=() if stated else tuple(implied.get(type_, ()))))
    return tuple(out)


def _license_ids(value: dict[str, Any]) -> list[str]:
    ident = value.get("id")
    return ([ident] if ident else []) + list(value.get("other_ids", ()))


def _merge_value(type_: str, into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, v in new.items():
        if key in LIST_KEYS:
            merged = list(into.get(key) or ())
            merged += [x for x in v if x not in merged]
            into[key] = tuple(merged)
        elif key == "strict":
            into[key] = bool(into.get(key)) or bool(v)
        elif key == "id" and type_ == "license" and into.get("id"):
            # keep the most specific reading of the same licence ("CC-BY-SA-4.0" over "CC-BY-SA");
            # a different licence named too (public domain and CC BY-SA) is kept for expansion
            if len(str(v)) > len(str(into["id"])) and str(v).startswith(str(into["id"])):
                into["id"] = v
            elif not str(into["id"]).startswith(str(v)):
                others = into.setdefault("other_ids", [])
                if v not in others and v != into["id"]:
                    others.append(v)
        elif into.get(key) is None:
            into[key] = v


def _final_value(type_: str, value: dict[str, Any]) -> dict[str, Any] | None:
    keys = VALUE_KEYS.get(type_)
    if not keys:
        return None
    if type_ == "no_manipulation":
        return {"strict": bool(value.get("strict")), "forbidden": list(value["forbidden"]) if value.get("forbidden") else None}
    if type_ == "publisher_restricted":
        return {"mode": value.get("mode") or "only", "parties": list(value.get("parties") or ())}
    if type_ in ("embargo", "expires"):
        when = "until" if type_ == "embargo" else "on"
        return {when: value.get(when), "text": value.get("text")}
    if type_ == "license":
        return {"id": value.get("id"), "url": value.get("url")}
    if not any(value.get(k) is not None for k in keys):
        return None
    return {k: (list(value[k]) if isinstance(value.get(k), tuple) else value.get(k)) for k in keys}
