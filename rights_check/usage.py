"""The usage manifest of contract §2: the planned use a photo's restrictions are checked against.

``load_usage`` reads a YAML or JSON file (or a mapping), validates it strictly and raises one
:class:`ManifestError` listing every problem with its key path. Decisions beyond the contract:

- Absent = unknown = ``None``. ``null`` is unknown too, except ``run_until: null``: a stated
  "online indefinitely". ``Usage.stated`` holds the key paths given (``"purpose"``,
  ``"publisher.type"``, ``"run_until"``); ``Usage.is_stated`` tells absent from false/[]/none.
- Country codes are normalised to upper case (``kr`` → ``KR``) and checked against ISO 3166-1
  alpha-2 (the ISO table generated from pycountry); ``WORLD`` is accepted in ``territories`` only.
- Dates: ISO 8601 strings or YAML timestamps. A bare date is naive midnight; a time without an
  offset stays naive (the evaluator sends a naive time that decides an outcome to review).
- Booleans must be real booleans ("yes" is an error). YAML reads an unquoted ``NO`` as false,
  so a false where text is expected gets a hint to quote it (Norway is ``'NO'``).
- Duplicate keys are errors, not last-one-wins. Blank names (publisher.name,
  client_of entries, an agreement's supplier) are errors: "" is contained in every credit.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from . import vocab
from .datafiles import read_data
from .errors import ManifestError
from .model import RestrictionType

__all__ = ["Publisher", "Agreement", "Usage", "load_usage", "template_text"]


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who publishes. Every attribute is ``None`` when the manifest does not say."""

    name: str | None = None
    """The publisher's name, matched against party lists ("AP CLIENTS ONLY")."""
    type: str | None = None
    """One of :data:`vocab.PUBLISHER_TYPES`."""
    country: str | None = None
    """Where the publisher is based: ISO 3166-1 alpha-2, upper case."""
    nonprofit: bool | None = None
    client_of: tuple[str, ...] | None = None
    """Agency subscriptions held, as written."""
    depicted_subject: bool | None = None
    """True when the user is a person shown in the photo."""


@dataclass(frozen=True, slots=True)
class Agreement:
    """Signed terms that lift one stated restriction; quoted in the finding's reason."""

    type: RestrictionType
    """The restriction type it lifts."""
    supplier: str | None = None
    """When given, must appear in the photo's credit or source for the agreement to apply."""
    ref: str | None = None
    """Contract number or other reference, as written."""


@dataclass(frozen=True, slots=True)
class Usage:
    """A validated usage manifest. ``None`` means unknown (see :meth:`is_stated`)."""

    publisher: Publisher = Publisher()
    """Always present; all-``None`` when the manifest has no ``publisher``."""
    purpose: str | None = None
    """One of :data:`vocab.PURPOSES`."""
    commercial: bool | None = None
    advertising: bool | None = None
    endorsement_implied: bool | None = None
    political: bool | None = None
    media: tuple[str, ...] | None = None
    """Media ids of :data:`vocab.MEDIA`."""
    territories: tuple[str, ...] | None = None
    """ISO 3166-1 alpha-2 codes or ``WORLD``."""
    geo_blocking: tuple[str, ...] | None = None
    """Territories blocked for online delivery (never ``WORLD``)."""
    first_use: _dt.datetime | None = None
    """Naive when the manifest gave no offset (a bare date is naive midnight)."""
    run_until: _dt.datetime | None = None
    """``None`` with ``is_stated("run_until")`` means online indefinitely."""
    edits: tuple[str, ...] | None = None
    """Edit ids of :data:`vocab.EDITS`."""
    credit_line: str | None = None
    """Exactly as it will be printed."""
    archive: bool | None = None
    resale: bool | None = None
    ai_training: str | None = None
    """One of :data:`vocab.AI_TRAINING`."""
    agreements: tuple[Agreement, ...] = ()
    stated: frozenset[str] = frozenset()
    """Key paths given in the manifest: ``purpose``, ``publisher``, ``publisher.type``, …"""
    source: str | None = None
    """The path as given; ``None`` for a mapping."""
    sha256: str | None = None
    """SHA-256 hex of the file bytes, or of the canonical JSON dump of a mapping."""

    def is_stated(self, path: str) -> bool:
        """True when the manifest gave ``path`` (``"run_until"``, ``"publisher.country"``)."""
        return path in self.stated

    def to_dict(self) -> dict[str, Any]:
        """The manifest as plain JSON data, with only the stated keys."""
        out: dict[str, Any] = {}
        for key in _TOP:
            if key == "publisher":
                if key in self.stated:
                    out[key] = {k: _plain(getattr(self.publisher, k)) for k in _PUBLISHER
                                if f"publisher.{k}" in self.stated}
            elif key in self.stated:
                out[key] = _plain(getattr(self, key))
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, Agreement):
        return {k: str(getattr(value, k)) for k in _AGREEMENT if getattr(value, k) is not None}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# --- value checkers: check(value, path, problems) -> the converted value. Simple checks raise
# _Bad; _check records it under the key path, so one bad value never hides the others.

Checker = Callable[[Any, str, list[str]], Any]


class _Bad(ValueError):
    """One problem with one value; the message follows its key path."""


def _check(check: Checker, value: Any, path: str, problems: list[str]) -> Any:
    try:
        return check(value, path, problems)
    except _Bad as e:
        problems.append(f"{path}: {e}")
        return None


def _show(value: Any) -> str:
    """A short one-line rendering of a bad value, in YAML spelling where that differs."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (Mapping, list, tuple)):
        return "a mapping" if isinstance(value, Mapping) else "a list"
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = repr(value)  # repr escapes newlines, keeping the message on one line
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(text: str) -> str:
    """Parser messages span lines; ManifestError promises one line."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _wrong(expected: str, value: Any) -> _Bad:
    # YAML 1.1 turns unquoted NO / no / off into false: the Norway problem.
    hint = " (YAML reads unquoted no/off/NO as false: put the value in quotes)" \
        if value is False and expected != "true or false" else ""
    return _Bad(f"expected {expected}, got {_show(value)}{hint}")


def _suggest(value: str, allowed: Any) -> str:
    from difflib import get_close_matches  # only for a bad value

    close = get_close_matches(value, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _typed(kind: type, expected: str, blank_ok: bool = True) -> Checker:
    def check(value: Any, *_: Any) -> Any:
        if not isinstance(value, kind):
            raise _wrong(expected, value)
        if not blank_ok and not value.strip():
            raise _Bad("must not be empty")  # "" is contained in every credit or party name
        return value
    return check


_boolean = _typed(bool, "true or false")
_string = _typed(str, "a string")
_name = _typed(str, "a non-empty string", blank_ok=False)


def _choice(allowed: tuple[str, ...]) -> Checker:
    def check(value: Any, *_: Any) -> str:
        if not isinstance(value, str):
            raise _wrong("one of " + ", ".join(allowed), value)
        if value not in allowed:
            raise _Bad(f"{value!r} is not one of {', '.join(allowed)}{_suggest(value, allowed)}")
        return value
    return check


def _country(world: bool) -> Checker:
    def check(value: Any, *_: Any) -> str:
        if not isinstance(value, str):
            raise _wrong("an ISO 3166-1 alpha-2 country code", value)
        code = value.upper()
        if code == "WORLD":
            if world:
                return code
            raise _Bad("'WORLD' is allowed only in territories")
        from .values import iso_country_codes

        if code in iso_country_codes():
            return code
        hint = {"UK": "GB", "EL": "GR"}.get(code)  # common non-ISO spellings
        raise _Bad(f"{value!r} is not an ISO 3166-1 alpha-2 country code"
                   + (f" (did you mean {hint!r}?)" if hint else ""))
    return check


def _list_of(item: Checker) -> Checker:
    def check(value: Any, path: str, problems: list[str]) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise _wrong("a list" + (f" such as [{value}]" if isinstance(value, str) else ""),
                         value)
        return tuple(_check(item, v, f"{path}[{i}]", problems) for i, v in enumerate(value))
    return check


def _datetime(value: Any, *_: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):  # before date: datetime is a date subclass
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime.combine(value, _dt.time())
    try:
        return _dt.datetime.fromisoformat(value.strip())  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise _Bad("expected an ISO 8601 date or date-time such as "
                   f"2026-05-01T09:00:00+09:00, got {_show(value)}") from None


def _fields(raw: Any, schema: Mapping[str, Checker], path: str, problems: list[str]) -> dict:
    """The checked non-null values of a mapping (null = unknown); unknown keys are problems
    that list the allowed ones."""
    if not isinstance(raw, Mapping):
        raise _wrong("a mapping with keys " + ", ".join(schema), raw)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in schema:
            shown = key if isinstance(key, str) and key.isprintable() else repr(key)
            hint = _suggest(key, schema) if isinstance(key, str) else ""
            problems.append(f"{path}{shown}: unknown key{hint} (allowed: {', '.join(schema)})")
        elif value is not None:
            out[key] = _check(schema[key], value, path + key, problems)
    return out


def _agreement(value: Any, path: str, problems: list[str]) -> Agreement | None:
    out = _fields(value, _AGREEMENT, path + ".", problems)
    if "type" not in out:
        problems.append(f"{path}.type: missing (name the restriction type the agreement lifts)")
    elif out["type"] is not None:
        return Agreement(**{**out, "type": RestrictionType(out["type"])})
    return None


def _publisher(value: Any, path: str, problems: list[str]) -> Publisher:
    return Publisher(**_fields(value, _PUBLISHER, path + ".", problems))


_AGREEMENT: dict[str, Checker] = {
    "type": _choice(tuple(str(t) for t in RestrictionType)), "supplier": _name, "ref": _string}
_PUBLISHER: dict[str, Checker] = {
    "name": _name, "type": _choice(vocab.PUBLISHER_TYPES), "country": _country(world=False),
    "nonprofit": _boolean, "client_of": _list_of(_name),
    "depicted_subject": _boolean}
_TOP: dict[str, Checker] = {
    "publisher": _publisher, "purpose": _choice(vocab.PURPOSES),
    "commercial": _boolean, "advertising": _boolean, "endorsement_implied": _boolean,
    "political": _boolean, "media": _list_of(_choice(vocab.MEDIA)),
    "territories": _list_of(_country(world=True)),
    "geo_blocking": _list_of(_country(world=False)),
    "first_use": _datetime, "run_until": _datetime, "edits": _list_of(_choice(vocab.EDITS)),
    "credit_line": _string, "archive": _boolean, "resale": _boolean,
    "ai_training": _choice(vocab.AI_TRAINING), "agreements": _list_of(_agreement)}


# --- reading -----------------------------------------------------------------------------

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader (libyaml when available) that records duplicate keys instead of letting
    the last one win silently: a doubled ``edits:`` would otherwise hide the first list."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str):
                if key in seen:
                    line = key_node.start_mark.line + 1
                    self.duplicates.append(f"{key}: duplicate key (line {line})")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict:
    data = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"{key}: duplicate key")
        data[key] = value
    return data


def _parse(data: bytes, is_json: bool) -> tuple[Any, list[str]]:
    """The document in ``data`` and its duplicate-key problems; ValueError on bad input."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # a BOM is harmless
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        offset = e.start + len(data) - len(body)
        raise ValueError(f"not UTF-8 text (invalid byte at offset {offset})") from None
    if not text.strip():
        return {}, []  # empty file: everything unknown
    if is_json:
        try:
            return json.loads(text, object_pairs_hook=_json_pairs), []
        except json.JSONDecodeError as e:
            raise ValueError(f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") \
                from None
    loader = _Loader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = ", ".join(filter(None, (e.context, e.problem)))  # "while scanning …, found …"
        raise ValueError(f"not valid YAML: {what}{where}") from None
    except yaml.YAMLError as e:  # reader errors: control characters, with a position
        raise ValueError(f"not valid YAML: {e}".replace(' in "<unicode string>",', " at")) \
            from None
    finally:
        loader.dispose()


def _canonical(value: Any) -> Any:
    """Plain dicts and lists for hashing a mapping (json cannot dump mapping proxies)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def load_usage(source: str | os.PathLike | Mapping[str, Any] | Usage) -> Usage:
    """A validated :class:`Usage` from a YAML/JSON file path, a mapping, or a Usage (as is).

    Raises :class:`ManifestError` naming the source and every problem, each with its key path.
    A ``.json`` suffix selects JSON; any other file is read as YAML.
    """
    if isinstance(source, Usage):
        return source
    problems: list[str] = []
    if isinstance(source, Mapping):
        name, path = "<mapping>", None
        digest = hashlib.sha256(json.dumps(_canonical(source), sort_keys=True, default=str)
                                .encode("utf-8")).hexdigest()
        raw: Any = source
    else:
        name = path = os.fsdecode(source)
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as e:
            why = {FileNotFoundError: "file not found", IsADirectoryError: "is a directory"}
            raise ManifestError(name, [why.get(type(e), f"cannot read: {e.strerror or e}")]) \
                from None
        digest = hashlib.sha256(data).hexdigest()
        try:
            raw, problems = _parse(data, path.lower().endswith(".json"))
        except ValueError as e:
            raise ManifestError(name, [_one_line(str(e))]) from None
        if raw is None:
            raw = {}  # a YAML file holding only comments
    if not isinstance(raw, Mapping):
        raise ManifestError(name, ["the manifest must be a mapping of keys to values, got "
                                   + _show(raw)])
    values = _fields(raw, _TOP, "", problems)
    # null is unknown, except for run_until where it means "online indefinitely"
    stated = {k for k, v in raw.items() if k in _TOP and (v is not None or k == "run_until")}
    if isinstance(raw.get("publisher"), Mapping):
        stated |= {f"publisher.{k}" for k, v in raw["publisher"].items()
                   if k in _PUBLISHER and v is not None}
    if problems:
        raise ManifestError(name, [_one_line(p) for p in problems])
    return Usage(**values, stated=frozenset(stated), source=path, sha256=digest)


def template_text() -> str:
    """The commented manifest template printed by ``rights-check template``."""
    return read_data("usage-template.yaml").decode("utf-8")
