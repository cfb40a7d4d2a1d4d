"""Load, validate and compile the phrase data in ``data/phrases/<lang>.toml``.

A phrase file holds ``[[phrase]]`` entries (a regex that states one or more restriction types,
with ``match`` and ``no_match`` examples) and ``[[ignore]]`` entries (words that look like a
restriction but are not one: negations, grants, ordinary news senses). Every problem in every
file is collected and raised at once as a :class:`DataError` naming ``file:entry``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .anchors import AnchorIndex
from .errors import DataError
from .model import RestrictionType, freeze

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
# Group names carry a value key; a suffix "__2" lets alternatives reuse a key.
GROUP_SUFFIX = re.compile(r"__\d+$")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    value: Any = None
    """Expected value (a mapping of keys to check), or None to check only the type."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled phrase entry."""

    key: str
    """``<lang>:<id>``, unique across files; it is the evidence's ``phrase``."""
    lang: str
    types: tuple[str, ...]
    regex: re.Pattern[str]
    """The whole pattern (used to validate the examples)."""
    parts: tuple[tuple[re.Pattern[str], tuple[tuple[str, ...], ...]], ...]
    """The pattern's top-level alternatives, each compiled alone with its own anchors, so an
    alternative whose literals are absent never runs (the engine would otherwise try every
    alternative at every position)."""
    anchors: tuple[tuple[str, ...], ...]
    """Every match contains a literal of each group (case-folded, whitespace left out; always
    folded, because inline ``(?i:…)`` groups change case rules inside a pattern): a cheap ``in`` test skips the regex on texts that cannot match.
    Empty: always run."""
    value: Any
    match: tuple[Example, ...]
    no_match: tuple[str, ...]
    ignore: bool = False


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


def _indexed(phrases: list[Phrase]) -> tuple[tuple[tuple[int, int], ...], AnchorIndex]:
    parts = tuple((i, j) for i, ph in enumerate(phrases) for j in range(len(ph.parts)))
    return parts, AnchorIndex([phrases[i].parts[j][1] for i, j in parts])


def _is_space(op: Any, av: Any) -> bool:
    """A regex item that can only match whitespace (``\\s``, a space, ``[ \\t]``)."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return chr(av).isspace()
    if op is c.IN:
        return all((o is c.CATEGORY and a in (c.CATEGORY_SPACE, c.CATEGORY_UNI_SPACE))
                   or (o is c.LITERAL and chr(a).isspace()) for o, a in av)
    return False


def _literal_runs(parsed: Any, runs: list[str], current: list[str]) -> None:
    """Collect literal strings that every match of a parsed regex must contain, with
    whitespace left out: they are looked for in the text with its whitespace removed, so
    "editorial\\s+use" gives "editorialuse" and "재\\s*판\\s*매" gives "재판매"."""
    from re import _constants as c  # type: ignore[attr-defined]

    def flush() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, av in parsed:
        if op is c.LITERAL and not chr(av).isspace():
            current.append(chr(av))
        elif _is_space(op, av) or op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # whitespace and zero-width items keep the run going
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and \
                len(av[2]) == 1 and _is_space(*av[2][0]):
            continue
        elif op is c.SUBPATTERN:
            _literal_runs(av[-1], runs, current)
        elif op is c.ATOMIC_GROUP:
            _literal_runs(av, runs, current)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            flush()
            inner: list[str] = []
            _literal_runs(av[2], runs, inner)
            if inner:
                runs.append("".join(inner))
        else:
            flush()
    flush()


def fold(text: str) -> str:
    """Case-fold text for the anchor test so it finds whatever an IGNORECASE regex would
    (dotless and dotted I match 'i' there)."""
    return text.casefold().replace("\u0307", "").replace("\u0131", "i")


def _usable(anchor: str) -> bool:
    # one CJK character is selective enough; one Latin letter is not
    return len(anchor) >= 2 or (bool(anchor) and not anchor.isascii())


def _longest(parsed: Any, flags: int) -> str:
    runs: list[str] = []
    _literal_runs(parsed, runs, [])
    best = fold(max(runs, key=len, default=""))
    return best if _usable(best) else ""


def _branches(parsed: Any, flags: int, out: list[tuple[str, ...]]) -> None:
    """For each alternation every match passes through: one literal per alternative."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in parsed:
        if op is c.BRANCH:
            anchors = []
            for alt in av[1]:
                inner: list[tuple[str, ...]] = []
                _branches(alt, flags, inner)
                single = _longest(alt, flags)
                # an alternative is covered by its own literal, or by a nested alternation
                options = [(single,)] if single else []
                options += [t for t in inner if all(t)]
                if not options:
                    break
                anchors.append(max(options, key=lambda t: min(len(a) for a in t)))
            else:
                out.append(tuple(dict.fromkeys(a for t in anchors for a in t)))
        elif op is c.SUBPATTERN:
            _branches(av[-1], flags, out)


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex source ("a|(b|c)|d" -> a, (b|c), d)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                i += 1 if pattern[i + 1] == "]" else 2
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def anchors_of(pattern: str, flags: int) -> tuple[tuple[str, ...], ...]:
    """Groups of literals: every match contains at least one literal of every group.

    A required literal is a group of one; a required alternation gives a group with one
    literal per alternative. The most selective four groups are kept; () means always run."""
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    runs: list[str] = []
    _literal_runs(parsed, runs, [])
    runs = [fold(r) for r in runs]
    groups: list[tuple[str, ...]] = [(r,) for r in dict.fromkeys(runs) if _usable(r)]
    _branches(parsed, flags, groups)
    groups.sort(key=lambda g: (-min(len(a) for a in g), len(g)))
    return tuple(dict.fromkeys(groups))[:4]


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
             ignore: bool) -> Phrase | None:
    allowed = IGNORE_KEYS if ignore else PHRASE_KEYS
    unknown = set(entry) - allowed
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")
    ident = entry.get("id")
    if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident or ""):
        problems.append(f"{where}: 'id' must be a lower-case kebab-case string")
        ident = f"#{where}"
    types = entry.get("types")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not types or not all(t in TYPES for t in types):
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
            regex = re.compile(pattern, flags)
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
        parts = tuple((re.compile(alt, flags), anchors_of(alt, flags)) for alt in alternatives) \
            if len(alternatives) > 1 else ((regex, anchors_of(pattern, flags)),)
    except re.error:  # an inline flag or group reference that needs the whole pattern
        parts = ((regex, anchors_of(pattern, flags)),)
    return Phrase(key=f"{lang}:{ident}", lang=lang, types=tuple(types), regex=regex, parts=parts,
                  anchors=anchors_of(pattern, flags), value=freeze(value or {}),
                  match=tuple(m for m in match if isinstance(m, Example)) if not ignore else
                  tuple(Example(m) for m in match),
                  no_match=tuple(no_match), ignore=ignore)


def parse_phrase_file(name: str, raw: bytes) -> tuple[list[Phrase], list[Phrase], str, list[str]]:
    """Compile one file's entries; returns (phrases, ignores, language, problems)."""
    problems: list[str] = []
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [], "", [f"{name}: not valid TOML: {exc}"]
    lang = data.get("language")
    stem = name.rsplit("/", 1)[-1].removesuffix(".toml")
    if lang != stem:
        problems.append(f"{name}: 'language' is {lang!r} but the file is named for {stem!r}")
        lang = stem
    unknown = set(data) - {"language", "phrase", "ignore"}
    if unknown:
        problems.append(f"{name}: unknown top-level keys {sorted(unknown)}")
    phrases, ignores = [], []
    for kind, bucket in (("phrase", phrases), ("ignore", ignores)):
        for i, entry in enumerate(data.get(kind, [])):
            where = f"{name}:{kind}[{i}]" + (f"({entry.get('id')})" if isinstance(entry, dict) else "")
            if not isinstance(entry, dict):
                problems.append(f"{where}: must be a table")
                continue
            compiled = _compile(entry, where, lang, problems, ignore=kind == "ignore")
            if compiled is not None:
                bucket.append(compiled)
    return phrases, ignores, lang, problems


@cache
def load_phrases() -> PhraseSet:
    """All bundled phrase files, validated and compiled (cached for the process)."""
    folder = resources.files("rights_check") / "data" / "phrases"
    problems: list[str] = []
    phrases: list[Phrase] = []
    ignores: list[Phrase] = []
    langs: list[str] = []
    digest = hashlib.sha256()
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        raw = item.read_bytes()
        digest.update(item.name.encode() + b"\0" + raw)
        p, ig, lang, probs = parse_phrase_file(f"data/phrases/{item.name}", raw)
        phrases += p
        ignores += ig
        langs.append(lang)
        problems += probs
    seen: set[str] = set()
    for ph in phrases + ignores:
        if ph.key in seen:
            problems.append(f"{ph.key}: duplicate id")
        seen.add(ph.key)
    if problems:
        raise DataError(problems)
    phrase_parts, phrase_index = _indexed(phrases)
    ignore_parts, ignore_index = _indexed(ignores)
    return PhraseSet(tuple(phrases), tuple(ignores), tuple(langs), digest.hexdigest(),
                     phrase_parts, phrase_index, ignore_parts, ignore_index)
