"""``parse_caption``: one text (or several named fields) -> segments, restrictions, the credit,
byline, source, copyright, date and URL fields, and translation-gap notices."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from collections.abc import Mapping
from types import MappingProxyType

from .anchors import AnchorIndex, anchors_of, fold
from .dates import find_dates
from .extract import field_hits, merge_hits
from .model import Caption, FieldValue, Notice, Restriction, Segment
from .regexcache import module_pattern
from .detector import LatinDetector
from .segment import URL_HINT, SegmentLangs, segment

_KANA = module_pattern(r"[\u3040-\u30ff]")
_NAME_END = r"[^\n()\[\]{}<>|;,.]"
_URL = module_pattern(
    r"(?:https?://|www\.)[^\s<>()\[\]{}\"'，。、）]+|\b(?:[a-z0-9-]+\.)+(?:go\.kr|or\.kr|co\.kr|"
    r"com|org|net|gov|edu|kr|jp|cn|de|fr|es|int)\b(?:/[^\s<>()\[\]{}\"'，。、）]*)?", re.I)
_COPYRIGHT = module_pattern(
    r"(?:©|ⓒ|Ⓒ|\(c\)|\bcopyright\b(?:\s*(?:©|\(c\)))?|저작권자\s*(?:©|ⓒ|\(c\))?|版权所有|著作権)"
    r"\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?P<name>[^\n.,;|<>\[\]()]{2,80})", re.I)
# _COPYRIGHT needs one of these in the case-folded, space-free text
_COPYRIGHT_SIGNS = ("©", "ⓒ", "(c)", "copyright", "저작권자", "版权所有", "著作権")
_CREDIT_PATTERNS: list[tuple] = [
    # (AP Photo/Name), (AP Photo), AFP PHOTO / Name, REUTERS/Name, EPA/Name, Xinhua/Name
    ("credit", module_pattern(r"\((?P<name>(?:AP|AFP|EPA)\s+Photo(?:\s*/\s*[^()\n]{1,60})?)\)", re.I)),
    ("credit", module_pattern(r"(?<![\w/])(?P<name>(?:REUTERS|AFP(?:\s+PHOTO)?|EPA(?:-EFE)?|XINHUA|Xinhua|"
                          r"KYODO|Kyodo|AAP|dpa|ANSA|Getty Images|Yonhap)\s*/\s*[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,3})")),
    ("credit", module_pattern(r"(?:photo|image|picture)s?\s*(?:credit|courtesy)?\s*(?::|by|courtesy of|provided by)\s*"
                          r"(?P<name>[A-Z][^\n()\[\]{}<>|;.]{1,70})", re.I)),
    ("credit", module_pattern(rf"\b(?:credit|courtesy|source|quelle|fuente|crédit)\s*:\s*(?P<name>{_NAME_END}{{2,70}})", re.I)),
    ("credit", module_pattern(r"(?:사진|그래픽|영상|자료)\s*=\s*(?P<name>[^\s,)\]]+(?:\s(?!기자)[^\s,)\]=]+)?)")),
    ("source", module_pattern(r"[\[(]\s*(?P<name>[^\[\]()=\n]{1,40}?)\s*제공")),
    ("source", module_pattern(r"\((?:[^()=\n]{1,20})=(?P<name>[^()\n]{1,30}?)(?:\s+재판매[^()]*)?\)"), "="),
    ("source", module_pattern(r"(?P<name>연합뉴스|뉴시스|뉴스1|News1|Newsis|Yonhap)\s*(?:제공|자료사진)?\s*\]?$")),
    ("source", module_pattern(r"(?:写真提供|提供)\s*[:：]\s*(?P<name>[^\s、。）)]{1,30})")),
    ("source", module_pattern(r"(?P<name>新华社|中新社|人民网|共同通信|時事通信|共同)(?:记者|記者|通信)?")),
    # A name followed by its site in brackets: "Presidential Security Service(eng.pss.go.kr/)"
    ("credit", module_pattern(r"(?<![\w-])(?P<name>(?:[A-Z][\w&'.]*\s){0,5}[A-Z][\w&'.]*|[가-힣]{2,20})\s*"
                          r"\(\s*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\s*\)"),
     module_pattern(r"\(\s*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\s*\)")),
]
"""(kind, pattern[, gate]): a pattern without literals for the anchor scan has a gate, a string
or regex that every match contains, checked first (a cheap search instead of the pattern's
own, which tries every capitalised word)."""


@cache
def credit_index() -> AnchorIndex:
    """The literals each credit pattern needs (the phrase engine's analysis): a text without
    them skips the pattern."""
    return AnchorIndex([anchors_of(entry[1].pattern, entry[1].flags) for entry in _CREDIT_PATTERNS])


# Fields that hold names and addresses rather than prose: their Latin runs are labelled by
# script and stop words only, never by the statistical detector.
NAME_FIELDS = frozenset({"credit", "source", "byline", "copyright", "web_statement", "license_url",
                         "attribution_name"})


def _field_pulls(field: str, text: str) -> list[tuple[str, FieldValue]]:
    """(kind, value) of every credit, copyright, URL and date one field states, in order;
    repeats are dropped when the fields are put together."""
    out: list[tuple[str, FieldValue]] = []

    def add(kind: str, m: re.Match[str], value: str, group: str | int = 0) -> None:
        value = value.strip(" \t\r\n.,;:-–—'\"“”‘’")
        if value:
            start, end = m.span(group)
            out.append((kind, FieldValue(kind, m.group(group), value, field, start, end)))

    if not text:
        return out
    if field.split("[", 1)[0] not in NAME_FIELDS:
        # a credit, byline or copyright field is itself the name: no credit line to find in it
        hay = "".join(fold(text).split())
        for i in credit_index().candidates(hay):
            kind, rx, *gate = _CREDIT_PATTERNS[i]
            if gate and (gate[0] not in text if isinstance(gate[0], str) else gate[0].search(text) is None):
                continue
            for m in rx.finditer(text):
                add(kind, m, m["name"], "name")
        if any(sign in hay for sign in _COPYRIGHT_SIGNS):
            for m in _COPYRIGHT.finditer(text):
                add("copyright", m, m["name"], 0)
    if URL_HINT.search(text):
        for m in _URL.finditer(text):
            add("url", m, m.group().rstrip(".,;:"))
    for d in find_dates(text):
        out.append(("date", FieldValue("date", d.text, d.iso, field, d.start, d.end)))
    return out


def _pull_fields(texts: Mapping[str, str]) -> dict[str, tuple[FieldValue, ...]]:
    return _combine_pulls([_field_pulls(field, text) for field, text in texts.items()])


def _combine_pulls(per_field) -> dict[str, tuple[FieldValue, ...]]:
    found: dict[str, list[FieldValue]] = {}
    seen: set[tuple[str, str]] = set()
    for pulls in per_field:
        for kind, item in pulls:
            if kind != "date":
                if (kind, item.value) in seen:
                    continue
                seen.add((kind, item.value))
            found.setdefault(kind, []).append(item)
    # A byline is the photographer after the agency's slash: "REUTERS/Kim Hong-Ji".
    for item in found.get("credit", []):
        if "/" in item.value:
            agency, _, person = item.value.partition("/")
            if ("source", agency.strip()) not in seen:
                seen.add(("source", agency.strip()))
                found.setdefault("source", []).append(FieldValue(
                    "source", item.text, agency.strip(), item.field, item.start, item.end))
            if person.strip():
                found.setdefault("byline", []).append(FieldValue(
                    "byline", item.text, person.strip(), item.field, item.start, item.end))
    return {k: tuple(v) for k, v in found.items() if v}


def _block_languages(texts: Mapping[str, str], segments: tuple[Segment, ...]) -> list[str]:
    """Languages with enough text in a field to count as a block of a bilingual caption."""
    weight: dict[str, int] = {}
    for s in segments:
        if s.lang == "und":
            continue
        chunk = texts[s.field][s.start:s.end]
        letters = sum(map(str.isalpha, chunk))
        cjk = s.lang in ("ko", "ja", "zh")
        weight[s.lang] = weight.get(s.lang, 0) + letters * (2 if cjk else 1)
    return [lang for lang, w in weight.items() if w >= 20]


def _translation_gaps(texts, segments, restrictions: tuple[Restriction, ...],
                      fields: Mapping[str, tuple[FieldValue, ...]]) -> list[Notice]:
    blocks = _block_languages(texts, segments)
    if len(blocks) < 2:
        return []
    notices = []
    for r in restrictions:
        if r.implied_by:
            continue
        langs = {e.lang for e in r.evidence if e.lang in blocks}
        if not langs:
            continue
        first = r.evidence[0]
        for lang in blocks:
            if lang not in langs:
                stated = ", ".join(sorted(langs))
                notices.append(Notice("translation_gap",
                                      f"{r.type} is stated in the {stated} text ('{first.text}') "
                                      f"but not in the {lang} text.", first.field))
    # The blocks' dates should agree.
    dates: dict[str, set[str]] = {}
    langs = {field: SegmentLangs(segments, field) for field in texts}
    for d in fields.get("date", ()):
        lang = langs[d.field].at(d.end - 1)  # "2024년 3월": the digits sit before the Hangul
        if lang in blocks:
            dates.setdefault(lang, set()).add(d.value)
    langs = sorted(dates)
    for i, a in enumerate(langs):
        for b in langs[i + 1:]:
            if not (_month_days(dates[a]) & _month_days(dates[b])):
                notices.append(Notice(
                    "translation_gap",
                    f"the dates disagree: the {a} text gives {', '.join(sorted(dates[a]))} "
                    f"and the {b} text gives {', '.join(sorted(dates[b]))}."))
    return notices


def _month_days(values: set[str]) -> set[str]:
    """Dates compared so that "--02-09" agrees with "2018-02-09"."""
    out = set(values)
    out |= {v[-5:] for v in values}
    return {v for v in out if len(v) == 5} | {v for v in out if len(v) == 10}


# Fields that carry a provider's boilerplate (credit and copyright lines, standing
# instructions): the same texts recur photo after photo in a feed, so their analysis is
# remembered, keyed by the exact text. Captions, headlines and titles differ from photo to
# photo and are analysed every time.
MEMO_FIELDS = NAME_FIELDS | {"special_instructions", "usage_terms"}
MEMO_TEXT_LIMIT = 2000  # characters: longer texts are analysed every time
MEMO_SIZE = 4096  # texts remembered per kind of analysis


@lru_cache(maxsize=MEMO_SIZE)
def _memo_segments(text: str, field: str, has_kana: bool) -> tuple[Segment, ...]:
    return segment(text, field, has_kana=has_kana, statistical=field.split("[", 1)[0] not in NAME_FIELDS)


@lru_cache(maxsize=MEMO_SIZE)
def _memo_pulls(field: str, text: str) -> tuple[tuple[str, FieldValue], ...]:
    return tuple(_field_pulls(field, text))


@lru_cache(maxsize=MEMO_SIZE)
def _memo_hits(field: str, text: str, has_kana: bool, default_year: int | None) -> tuple:
    segs = _memo_segments(text, field, has_kana)
    return tuple(field_hits(field, text, segs, {"default_year": default_year}))


def _memo(field: str, text: str, detector: LatinDetector | None) -> bool:
    return detector is None and len(text) <= MEMO_TEXT_LIMIT and field.split("[", 1)[0] in MEMO_FIELDS


def parse_fields(texts: Mapping[str, str], *, source: str | None = None,
                 detector: LatinDetector | None = None,
                 notices: tuple[Notice, ...] = ()) -> Caption:
    """Parse several named text fields (caption, special_instructions, …) as one record."""
    texts = {k: v for k, v in texts.items() if v is not None}
    has_kana = any(_KANA.search(t) for t in texts.values())
    memo = {field: _memo(field, text, detector) for field, text in texts.items()}
    segments: list[Segment] = []
    pulls = []
    for field, text in texts.items():
        if memo[field]:
            segments.extend(_memo_segments(text, field, has_kana))
            pulls.append(_memo_pulls(field, text))
        else:
            prose = field.split("[", 1)[0] not in NAME_FIELDS
            segments.extend(segment(text, field, detector=detector, has_kana=has_kana, statistical=prose))
            pulls.append(_field_pulls(field, text))
    segs = tuple(segments)
    fields = _combine_pulls(pulls)
    years = [int(d.value[:4]) for d in fields.get("date", ()) if not d.value.startswith("--")]
    default_year = years[0] if years else None
    hits = []
    for index, (field, text) in enumerate(texts.items()):
        if memo[field]:
            hits.extend(h.at_field_index(index) for h in _memo_hits(field, text, has_kana, default_year))
        else:
            hits.extend(field_hits(field, text, segs, {"default_year": default_year}, index))
    restrictions = merge_hits(hits)
    all_notices = tuple(notices) + tuple(_translation_gaps(texts, segs, restrictions, fields))
    return Caption(texts=MappingProxyType(dict(texts)), segments=segs, restrictions=restrictions,
                   fields=MappingProxyType(fields), notices=all_notices, source=source)


def parse_caption(text: str, *, source: str | None = None,
                  detector: LatinDetector | None = None) -> Caption:
    """Parse one caption text (field ``caption``)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_caption() takes caption text (str), not {type(text).__name__}")
    return parse_fields({"caption": text}, source=source, detector=detector)
