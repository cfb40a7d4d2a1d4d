"""Find the restrictions a text states: run every phrase over every field, drop what an
``ignore`` entry explains away, give each match its value, merge repeats, expand licences.

Matching never depends on the detected language: all phrase files run over all text, and a
finding's ``lang`` is the language of the phrase that matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Evidence, Restriction, RestrictionType, Segment, freeze
from .phrases import (GROUP_SUFFIX, REQUIRED_KEYS, TEXT_VALUED, VALUE_KEYS, Phrase, fold,
                      load_phrases)
from .segment import lang_at
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
            value[key] = resolved
    if type_ in TEXT_VALUED:
        value.setdefault("text", RESOLVERS["text"](m.group()))
    required = REQUIRED_KEYS.get(type_)
    if required and not value.get(required):
        return None
    return value


def _scan(phrases: tuple[Phrase, ...], field: str, text: str, folded: str):
    for phrase in phrases:
        if phrase.anchors:
            hay = folded if phrase.lowered else text
            if not any(a in hay for a in phrase.anchors):
                continue
        for m in phrase.regex.finditer(text):
            if m.end() > m.start():
                yield phrase, m


def find_restrictions(texts: Mapping[str, str], segments: tuple[Segment, ...], *,
                      defaults: Mapping[str, Any] | None = None) -> tuple[Restriction, ...]:
    """Every restriction the fields state or a licence implies, in reading order."""
    data = load_phrases()
    defaults = dict(defaults or {})
    hits: list[_Hit] = []
    for field_index, (field, text) in enumerate(texts.items()):
        if not text:
            continue
        folded = fold(text)
        ignored: list[tuple[int, int, tuple[str, ...]]] = [
            (m.start(), m.end(), ph.types) for ph, m in _scan(data.ignores, field, text, folded)]
        for phrase, m in _scan(data.phrases, field, text, folded):
            start, end = m.span()
            lang = phrase.lang if phrase.lang != "und" else lang_at(segments, field, start)
            ev = Evidence(field, start, end, m.group(), lang, phrase.key)
            values = {t: _value(phrase, t, m, defaults) for t in phrase.types}
            if any(v is None for v in values.values()):
                continue  # one statement: if its key value does not resolve, none of it holds
            for type_, value in values.items():
                if any(s < end and start < e and type_ in types for s, e, types in ignored):
                    continue
                hits.append(_Hit(type_, value, ev, (field_index, start, TYPE_ORDER[type_])))
    return _merge(hits)


def _merge(hits: list[_Hit]) -> tuple[Restriction, ...]:
    hits.sort(key=lambda h: h.order)
    by_type: dict[str, tuple[dict[str, Any], list[Evidence], tuple[int, int, int]]] = {}
    for h in hits:
        if h.type not in by_type:
            by_type[h.type] = ({}, [], h.order)
        value, evidence, _ = by_type[h.type]
        _merge_value(h.type, value, h.value)
        if h.evidence not in evidence:
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
    return [ident] if ident else []


def _merge_value(type_: str, into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, v in new.items():
        if key in LIST_KEYS:
            merged = list(into.get(key) or ())
            merged += [x for x in v if x not in merged]
            into[key] = tuple(merged)
        elif key == "strict":
            into[key] = bool(into.get(key)) or bool(v)
        elif key == "id" and type_ == "license" and into.get("id"):
            # keep the most specific reading of the same licence ("CC-BY-SA-4.0" over "CC-BY-SA")
            if len(str(v)) > len(str(into["id"])) and str(v).startswith(str(into["id"])):
                into["id"] = v
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
