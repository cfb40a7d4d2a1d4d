"""The restriction catalogue behind ``rights-check restrictions [TYPE]``: for every type of
contract §1, what it means, real wordings, what its value holds, the manifest fields its rule
reads and how it is judged (contract §3). The data is ``data/restrictions.toml``, validated on
load; :func:`load` takes the TOML text so tests can feed it modified data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from .errors import DataError
from .model import RestrictionType

__all__ = ["RestrictionInfo", "catalogue", "info", "load"]

SOURCE = "data/restrictions.toml"
_TEXT_KEYS = ("title", "meaning", "value", "judged")
_KEYS = ("title", "meaning", "examples", "value", "manifest_fields", "judged")


@dataclass(frozen=True, slots=True)
class RestrictionInfo:
    """One catalogue entry."""

    type: RestrictionType
    title: str
    meaning: str
    examples: tuple[str, ...]
    value: str
    """What ``Restriction.value`` holds, one sentence, or ``"null"``."""
    manifest_fields: tuple[str, ...]
    """Usage-manifest key paths the rule reads (``purpose``, ``publisher.type``)."""
    judged: str


def manifest_paths() -> frozenset[str]:
    """The valid manifest key paths: top-level keys and ``publisher.<key>`` (contract §2)."""
    from .usage import _PUBLISHER, _TOP  # the manifest schema; imported only when validating

    return frozenset(k for k in _TOP if k != "publisher") | {f"publisher.{k}" for k in _PUBLISHER}


def _strings(value: object, where: str, problems: list[str], lo: int, hi: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: expected a list of non-empty strings")
        return ()
    if not lo <= len(value) <= hi:
        problems.append(f"{where}: expected {lo} to {hi} items, got {len(value)}")
    if len(set(value)) != len(value):
        problems.append(f"{where}: duplicate items")
    return tuple(value)


def load(text: str, source: str = SOURCE) -> tuple[RestrictionInfo, ...]:
    """The entries of catalogue TOML ``text`` in RestrictionType order; raises DataError
    listing every problem, each as ``<source>:<type>.<key>``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise DataError([f"{source}: not valid TOML: {e}"]) from None
    types = [str(t) for t in RestrictionType]
    paths = manifest_paths()
    problems = [f"{source}:{k}: unknown restriction type (valid: {', '.join(types)})"
                for k in data if k not in types]
    problems += [f"{source}:{t}: missing" for t in types if t not in data]
    if not problems and list(data) != types:
        problems.append(f"{source}: types out of order (expected {', '.join(types)})")
    entries = []
    for t in (t for t in types if t in data):
        entry, where = data[t], f"{source}:{t}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table")
            continue
        problems += [f"{where}.{k}: unknown key (allowed: {', '.join(_KEYS)})"
                     for k in entry if k not in _KEYS]
        problems += [f"{where}.{k}: missing" for k in _KEYS if k not in entry]
        for k in _TEXT_KEYS:
            if k in entry and not (isinstance(entry[k], str) and entry[k].strip()):
                problems.append(f"{where}.{k}: expected a non-empty string")
        examples = _strings(entry["examples"], f"{where}.examples", problems, 2, 4) \
            if "examples" in entry else ()
        fields = _strings(entry["manifest_fields"], f"{where}.manifest_fields", problems, 0,
                          len(paths)) if "manifest_fields" in entry else ()
        problems += [f"{where}.manifest_fields: {f!r} is not a manifest key path "
                     f"(valid: {', '.join(sorted(paths))})" for f in fields if f not in paths]
        text = {k: str(entry.get(k, "")) for k in _TEXT_KEYS}
        entries.append(RestrictionInfo(RestrictionType(t), text["title"], text["meaning"],
                                       examples, text["value"], fields, text["judged"]))
    if problems:
        raise DataError(problems)
    return tuple(entries)


@cache
def catalogue() -> tuple[RestrictionInfo, ...]:
    """Every restriction type's entry, in RestrictionType order (read once, validated)."""
    from importlib import resources

    return load((resources.files(__package__) / SOURCE).read_text("utf-8"))


def info(type_: str) -> RestrictionInfo:
    """The entry for ``type_``; KeyError naming the valid types when there is none."""
    for entry in catalogue():
        if entry.type == type_:
            return entry
    raise KeyError(f"unknown restriction type {type_!r} "
                   f"(valid: {', '.join(str(t) for t in RestrictionType)})")
