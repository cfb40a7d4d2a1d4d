"""Load, validate and compile the phrase data in ``data/phrases/<lang>.toml`` (and
``<lang>.<topic>.toml`` where one language's phrases are split by topic).

A phrase file holds ``[[phrase]]`` entries (a regex that states one or more restriction types,
with ``match`` and ``no_match`` examples) and ``[[ignore]]`` entries (words that look like a
restriction but are not one: negations, grants, ordinary news senses). Every problem in every
file is collected and raised at once as a :class:`DataError` naming ``file:entry``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .anchors import AnchorIndex, LiteralFinder, anchors_of, split_alternatives
from .datafiles import data_names, data_path, read_data
from .errors import DataError
from .loadcache import pickled_by_fields
from .model import RestrictionType, freeze, thaw
from .regexcache import compile_pattern

TYPES = frozenset(t.value for t in RestrictionType)

# The value keys each type may carry, and how a named group's text becomes that value.
VALUE_KEYS: dict[str, dict[str, str]] = {
    "editorial_only": {"who": "name"},
    "no_manipulation": {"strict": "flag", "forbidden": "edits"},
    "no_endorsement": {"by": "name"},
    "mandatory_credit": {"credit": "name"},
    "no_archive": {"limit": "name"},
    "territory_excluded": {"territories": "territories"},
    "territory_only": {"territories": "territories"},
    "media_excluded": {"media": "media"},
    "media_only": {"media": "media"},
    "publisher_restricted": {"mode": "word", "parties": "parties"},
    "embargo": {"until": "datetime", "text": "text"},
    "expires": {"on": "datetime", "text": "text"},
    "withdrawn": {"text": "text"},
    "license": {"id": "license", "url": "url"},
    "no_ai_training": {"scope": "word"},
    "rights_reserved": {"holder": "name"},
    "third_party_notice": {"text": "text"},
    "clearance_required": {"contact": "name"},
}
# Types whose value must not be null: a match that yields no value is dropped.
REQUIRED_KEYS = {
    "territory_excluded": "territories", "territory_only": "territories",
    "media_excluded": "media", "media_only": "media", "license": "id",
    "publisher_restricted": "parties", "no_ai_training": "scope",
}
# Types whose value is always {"text": match} (and until/on) rather than null.
TEXT_VALUED = frozenset({"embargo", "expires", "withdrawn", "third_party_notice"})

PHRASE_KEYS = {"id", "types", "pattern", "case_sensitive", "value", "match", "no_match", "note"}
IGNORE_KEYS = {"id", "types", "pattern", "case_sensitive", "match", "note"}
HEADING_KEYS = {"id", "pattern", "case_sensitive", "match", "no_match", "note"}
KINDS = ("phrase", "ignore", "heading", "item")
"""A ``heading`` introduces a list of banned uses ("You may not use the images for:"); each
bullet item under it is read with the ``item`` entries ("• Advertisements" -> no_advertising)."""
# Group names carry a value key; a suffix "__2" lets alternatives reuse a key.
GROUP_SUFFIX = re.compile(r"__\d+$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Example:
    text: str
    value: Any = None
    """Expected value (a mapping of keys to check), or None to check only the type."""


_COMPILED: dict[tuple[str, int], re.Pattern[str]] = {}


def compiled(pattern: str, flags: int) -> re.Pattern[str]:
    """A compiled regex, kept for the process (``re``'s own cache holds fewer patterns than
    the phrase data has)."""
    regex = _COMPILED.get((pattern, flags))
    if regex is None:
        regex = _COMPILED[(pattern, flags)] = compile_pattern(pattern, flags)
    return regex


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Alternative:
    """One top-level alternative of a phrase's pattern, compiled on first use."""

    pattern: str
    flags: int
    anchors: tuple[tuple[str, ...], ...]
    """Every match contains a literal of each group (case-folded, whitespace left out; always
    folded, because inline ``(?i:…)`` groups change case rules inside a pattern). Empty:
    always run."""

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern, self.flags)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Phrase:
    """One phrase entry: its types and value, and its pattern split into alternatives, so an
    alternative whose literals are absent never runs (the regex engine would otherwise try
    every alternative at every position)."""

    key: str
    """``<lang>:<id>``, unique across files; it is the evidence's ``phrase``."""
    lang: str
    types: tuple[str, ...]
    pattern: str
    flags: int
    parts: tuple[Alternative, ...]
    value: Any
    match: tuple[Example, ...] = ()
    """Examples (only when built from the TOML files, as the tests do)."""
    no_match: tuple[str, ...] = ()
    ignore: bool = False
    kind: str = "phrase"
    """``phrase``, ``ignore``, ``heading`` or ``item``."""

    @property
    def regex(self) -> re.Pattern[str]:
        """The whole pattern (used to validate the examples)."""
        return compiled(self.pattern, self.flags)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PhraseSet:
    phrases: tuple[Phrase, ...]
    ignores: tuple[Phrase, ...]
    languages: tuple[str, ...]
    digest: str
    """SHA-256 of the phrase data: the report's ``tool.rules``."""
    phrase_parts: tuple[tuple[int, int], ...] = ()
    """(phrase index, alternative index) of each entry of ``phrase_index``."""
    phrase_index: AnchorIndex | None = None
    ignore_parts: tuple[tuple[int, int], ...] = ()
    ignore_index: AnchorIndex | None = None
    all_index: LiteralFinder | None = None
    """Both indexes' literals, so one scan of a text serves phrases and ignores."""
    headings: tuple[Phrase, ...] = ()
    items: tuple[Phrase, ...] = ()


def _indexed(phrases: list[Phrase]) -> tuple[tuple[tuple[int, int], ...], AnchorIndex]:
    parts = tuple((i, j) for i, ph in enumerate(phrases) for j in range(len(ph.parts)))
    return parts, AnchorIndex([phrases[i].parts[j].anchors for i, j in parts])


def _examples(raw: Any, where: str, problems: list[str], *, with_value: bool) -> tuple[Any, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: must be a list")
        return ()
    out: list[Any] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(Example(item) if with_value else item)
        elif with_value and isinstance(item, dict) and set(item) <= {"text", "value"} \
                and isinstance(item.get("text"), str):
            out.append(Example(item["text"], freeze(item.get("value"))))
        else:
            problems.append(f"{where}[{i}]: an example is a string"
                            + (" or {text, value}" if with_value else ""))
    return tuple(out)


def _compile(entry: dict[str, Any], where: str, lang: str, problems: list[str], *,
             kind: str) -> Phrase | None:
    ignore = kind == "ignore"
    heading = kind == "heading"
    allowed = {"ignore": IGNORE_KEYS, "heading": HEADING_KEYS}.get(kind, PHRASE_KEYS)
    unknown = set(entry) - allowed
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")
    ident = entry.get("id")
    if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident or ""):
        problems.append(f"{where}: 'id' must be a lower-case kebab-case string")
        ident = f"#{where}"
    types = entry.get("types", [] if heading else None)
    if isinstance(types, str):
        types = [types]
    if heading:
        pass  # a heading states no type itself: its items do
    elif not isinstance(types, list) or not types or not all(t in TYPES for t in types):
        problems.append(f"{where}: 'types' must list restriction types from contract §1, got {types!r}")
        types = []
    pattern = entry.get("pattern")
    if isinstance(pattern, str) and "{TERRITORY}" in pattern:
        from .values import territory_pattern
        pattern = pattern.replace("{TERRITORY}", territory_pattern())
    flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
    regex = None
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{where}: 'pattern' is required")
    else:
        try:
            regex = compiled(pattern, flags)
        except re.error as exc:
            problems.append(f"{where}: pattern does not compile: {exc}")
    value = entry.get("value")
    if value is not None and not isinstance(value, dict):
        problems.append(f"{where}: 'value' must be a table")
        value = None
    allowed_keys = {k for t in types for k in VALUE_KEYS.get(t, {})}
    for key in value or {}:
        if key not in allowed_keys:
            problems.append(f"{where}: value key {key!r} is not a value of {types}")
    if regex is not None:
        for group in regex.groupindex:
            key = GROUP_SUFFIX.sub("", group)
            if key not in allowed_keys:
                problems.append(f"{where}: group {group!r} is not a value key of {types} "
                                f"(allowed: {sorted(allowed_keys)})")
    match = _examples(entry.get("match"), f"{where}.match", problems, with_value=not ignore)
    no_match = () if ignore else _examples(entry.get("no_match"), f"{where}.no_match", problems,
                                           with_value=False)
    if not match:
        problems.append(f"{where}: needs at least one 'match' example")
    if not ignore and not no_match:
        problems.append(f"{where}: needs at least one 'no_match' example")
    if regex is None:
        return None
    if regex is not None:
        for ex in match:
            text = ex.text if isinstance(ex, Example) else ex
            if not regex.search(text):
                problems.append(f"{where}: pattern does not match its example {text!r}")
    alternatives = split_alternatives(pattern)
    try:
        parts = tuple(Alternative(alt, flags, anchors_of(alt, flags)) for alt in alternatives
                      if compiled(alt, flags)) if len(alternatives) > 1 else ()
    except re.error:  # an inline flag or group reference that needs the whole pattern
        parts = ()
    parts = parts or (Alternative(pattern, flags, anchors_of(pattern, flags)),)
    return Phrase(key=f"{lang}:{ident}", lang=lang, types=tuple(types), pattern=pattern, flags=flags,
                  parts=parts, value=freeze(value or {}),
                  match=tuple(m for m in match if isinstance(m, Example)) if not ignore else
                  tuple(Example(m) for m in match),
                  no_match=tuple(no_match), ignore=ignore, kind=kind)


def parse_phrase_file(name: str, raw: bytes) -> tuple[dict[str, list[Phrase]], str, list[str]]:
    """Compile one file's entries; returns ({kind: entries}, language, problems)."""
    import tomllib  # only when building from the phrase files (the index is JSON)

    problems: list[str] = []
    entries: dict[str, list[Phrase]] = {kind: [] for kind in KINDS}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return entries, "", [f"{name}: not valid TOML: {exc}"]
    lang = data.get("language")
    # <lang>.toml, or <lang>.<topic>.toml when one language's phrases are split by topic
    stem = name.rsplit("/", 1)[-1].removesuffix(".toml").split(".", 1)[0]
    if lang != stem:
        problems.append(f"{name}: 'language' is {lang!r} but the file is named for {stem!r}")
        lang = stem
    unknown = set(data) - {"language", *KINDS}
    if unknown:
        problems.append(f"{name}: unknown top-level keys {sorted(unknown)}")
    for kind in KINDS:
        for i, entry in enumerate(data.get(kind, [])):
            where = f"{name}:{kind}[{i}]" + (f"({entry.get('id')})" if isinstance(entry, dict) else "")
            if not isinstance(entry, dict):
                problems.append(f"{where}: must be a table")
                continue
            compiled_entry = _compile(entry, where, lang, problems, kind=kind)
            if compiled_entry is not None:
                entries[kind].append(compiled_entry)
    return entries, lang, problems


INDEX = "phrases.index.json"


def _phrase_files() -> tuple[list[tuple[str, bytes]], str]:
    """The bundled phrase files (name, bytes) and their digest: the report's ``tool.rules``."""
    files = [(name, read_data("phrases", name)) for name in data_names("phrases") if name.endswith(".toml")]
    digest = hashlib.sha256()
    for name, raw in files:
        digest.update(name.encode() + b"\0" + raw)
    # patterns expand {TERRITORY} from the territory table: it is part of the phrase data
    digest.update(b"territories.toml\0" + read_data("territories.toml"))
    return files, digest.hexdigest()


def _phrase_set(entries: dict[str, list[Phrase]], langs: list[str], digest: str) -> PhraseSet:
    phrases, ignores = entries["phrase"], entries["ignore"]
    phrase_parts, phrase_index = _indexed(phrases)
    ignore_parts, ignore_index = _indexed(ignores)
    all_index = LiteralFinder(phrase_index.words + ignore_index.words)
    return PhraseSet(tuple(phrases), tuple(ignores), tuple(langs), digest,
                     phrase_parts, phrase_index, ignore_parts, ignore_index, all_index,
                     tuple(entries["heading"]), tuple(entries["item"]))


def build_phrases() -> PhraseSet:
    """Read, validate and analyse every phrase file, with the examples (slow: about a second;
    the tests and ``write_index`` use it). Raises DataError listing every problem."""
    files, digest = _phrase_files()
    problems: list[str] = []
    entries: dict[str, list[Phrase]] = {kind: [] for kind in KINDS}
    langs: list[str] = []
    for name, raw in files:
        found, lang, probs = parse_phrase_file(f"data/phrases/{name}", raw)
        for kind in KINDS:
            entries[kind] += found[kind]
        if lang not in langs:
            langs.append(lang)
        problems += probs
    seen: set[str] = set()
    for ph in (ph for kind in KINDS for ph in entries[kind]):
        if ph.key in seen:
            problems.append(f"{ph.key}: duplicate id")
        seen.add(ph.key)
    if problems:
        raise DataError(problems)
    return _phrase_set(entries, langs, digest)


def index_json(data: PhraseSet) -> str:
    """The analysed phrase data (no examples) as JSON: what ``load_phrases`` reads at start."""
    def entry(ph: Phrase) -> dict[str, Any]:
        return {"key": ph.key, "lang": ph.lang, "types": list(ph.types), "pattern": ph.pattern,
                "flags": ph.flags, "value": thaw(ph.value),
                "parts": [[a.pattern, [list(g) for g in a.anchors]] for a in ph.parts]}
    doc = {"digest": data.digest, "languages": list(data.languages),
           "phrases": [entry(p) for p in data.phrases], "ignores": [entry(p) for p in data.ignores],
           "headings": [entry(p) for p in data.headings], "items": [entry(p) for p in data.items]}
    return json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


MODULE_PATTERN_USERS = (".caption", ".dates", ".extract", ".image.machine", ".rules", ".segment", ".values")
"""The modules that compile regexes with ``regexcache.module_pattern`` (a test checks the list)."""


def runtime_patterns(data: PhraseSet) -> list[tuple[str, int]]:
    """(pattern, flags) of every phrase regex a check compiles (each alternative, and the whole
    pattern of list headings and items), and the modules' own regexes (``module_pattern``)."""
    out = [(a.pattern, a.flags) for kind in (data.phrases, data.ignores, data.headings, data.items)
           for ph in kind for a in ph.parts]
    out += [(ph.pattern, ph.flags) for kind in (data.headings, data.items) for ph in kind]
    import importlib

    from .regexcache import MODULE_PATTERNS

    for name in MODULE_PATTERN_USERS:  # their module_pattern calls
        importlib.import_module(name, __package__)

    return out + MODULE_PATTERNS


def write_index() -> list[str]:
    """Rebuild ``data/phrases.index.json``, the compiled regexes (``regexcache``) and the parsed
    tables (``values.TABLES``) from the data files (run after editing them: ``python -m
    rights_check.phrases``). Returns the paths written."""
    from . import regexcache

    data = build_phrases()
    from . import loadcache
    from .detector import LangdetectDetector
    from .values import TABLES, tables_json

    paths = [data_path(INDEX), data_path(TABLES)]
    for path, text in zip(paths, (index_json(data), tables_json())):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    loaded = _read_index(data.digest)  # what a check loads: the index, without the examples
    if loaded is None:
        raise DataError([f"{INDEX}: just written, but does not read back"])
    paths.append(loadcache.write(PICKLE, pickle_key(data.digest), loaded))
    paths.append(LangdetectDetector().write_pickle())
    return paths + [regexcache.write(runtime_patterns(data))]


PICKLE = "phrases.pickle"
"""The phrase set as ``load_phrases`` returns it, pickled (``loadcache``)."""


def pickle_key(digest: str) -> dict[str, Any]:
    """The key of the pickled phrase set: the phrase data's digest, and the modules whose
    classes it holds."""
    from . import loadcache

    return loadcache.key(digest, ("anchors", "loadcache", "model", "phrases"))


def _read_index(digest: str) -> PhraseSet | None:
    try:
        raw = read_data(INDEX)
        doc = json.loads(raw)
    except (OSError, ValueError):
        return None
    if doc.get("digest") != digest:
        return None  # the phrase files changed since the index was written

    def phrase(e: dict[str, Any], kind: str) -> Phrase:
        parts = tuple(Alternative(p, e["flags"], tuple(tuple(g) for g in anchors))
                      for p, anchors in e["parts"])
        return Phrase(key=e["key"], lang=e["lang"], types=tuple(e["types"]), pattern=e["pattern"],
                      flags=e["flags"], parts=parts, value=freeze(e["value"]),
                      ignore=kind == "ignore", kind=kind)
    entries = {kind: [phrase(e, kind) for e in doc.get(kind + "s", [])] for kind in KINDS}
    return _phrase_set(entries, doc["languages"], digest)


@cache
def load_phrases() -> PhraseSet:
    """The bundled phrase data, cached for the process: unpickled (``loadcache``) or read from
    the index written by ``write_index`` when they match the phrase files (fast: regexes
    compile on first use); otherwise built and validated from the files themselves."""
    from . import loadcache

    _, digest = _phrase_files()
    return loadcache.read(PICKLE, pickle_key(digest)) or _read_index(digest) or build_phrases()


if __name__ == "__main__":
    # through the package's module, not this __main__ copy: the pickle names its classes
    from rights_check import phrases

    print("\n".join(phrases.write_index()))
