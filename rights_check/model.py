"""The immutable values the public API returns: evidence, segments, restrictions, findings, reports.

Every value is a frozen dataclass; mappings inside are read-only views and lists are tuples,
so a result cannot be changed after it was made. ``to_dict()`` gives the JSON shape of
contract §5 (lists, dicts and strings only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class RestrictionType(StrEnum):
    """The restriction types of contract §1; each compares equal to its plain string."""

    EDITORIAL_ONLY = "editorial_only"
    PERSONAL_USE_BY_SUBJECT = "personal_use_by_subject"
    NO_MANIPULATION = "no_manipulation"
    NO_DERIVATIVES = "no_derivatives"
    NO_COMMERCIAL = "no_commercial"
    NO_ADVERTISING = "no_advertising"
    NO_ENDORSEMENT = "no_endorsement"
    NO_POLITICAL = "no_political"
    MANDATORY_CREDIT = "mandatory_credit"
    NO_RESALE = "no_resale"
    NO_ARCHIVE = "no_archive"
    TERRITORY_EXCLUDED = "territory_excluded"
    TERRITORY_ONLY = "territory_only"
    MEDIA_EXCLUDED = "media_excluded"
    MEDIA_ONLY = "media_only"
    PUBLISHER_RESTRICTED = "publisher_restricted"
    EMBARGO = "embargo"
    EXPIRES = "expires"
    WITHDRAWN = "withdrawn"
    LICENSE = "license"
    SHARE_ALIKE = "share_alike"
    NO_AI_TRAINING = "no_ai_training"
    RIGHTS_RESERVED = "rights_reserved"
    THIRD_PARTY_NOTICE = "third_party_notice"
    CLEARANCE_REQUIRED = "clearance_required"


class Verdict(StrEnum):
    """A finding's or a report's verdict (contract §3)."""

    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    VIOLATION = "violation"


VERDICT_RANK = {Verdict.OK: 0, Verdict.NEEDS_REVIEW: 1, Verdict.VIOLATION: 2}


def freeze(value: Any) -> Any:
    """A read-only copy of a JSON-like value: dicts become mapping proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The JSON form of a value made by :func:`freeze`."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Evidence:
    """Exact characters of one field that state a restriction."""

    field: str
    """The field the text came from: ``caption`` for plain text."""
    start: int
    """Offset of the first character in the field's original text."""
    end: int
    """Offset one past the last character (``text == original[start:end]``)."""
    text: str
    """The words themselves."""
    lang: str
    """ISO 639-1 code of the phrase that matched (or of the segment, for language-neutral
    phrases such as licence codes); ``und`` when unknown."""
    phrase: str = ""
    """Id of the phrase entry that matched, ``<lang>:<id>`` (why it fired)."""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end,
                "text": self.text, "lang": self.lang, "phrase": self.phrase}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of one language inside a field."""

    field: str
    start: int
    end: int
    lang: str
    """ISO 639-1 code, or ``und`` for text without letters."""
    method: str = "script"
    """How the language was decided: ``script``, ``rules``, ``detector`` or ``neighbour``."""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end,
                "lang": self.lang, "method": self.method}


@dataclass(frozen=True, slots=True)
class Restriction:
    """One usage restriction, with every place the text states it."""

    type: RestrictionType
    value: Any
    """Per-type value of contract §1 (a read-only mapping) or ``None``."""
    evidence: tuple[Evidence, ...]
    implied_by: tuple[str, ...] = ()
    """Licence ids this restriction was expanded from (empty when stated in words)."""

    @property
    def stated(self) -> bool:
        """True when words of the text state it, not only a licence it was expanded from."""
        return not self.implied_by

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": str(self.type), "value": thaw(self.value),
                               "evidence": [e.to_dict() for e in self.evidence]}
        if self.implied_by:
            out["implied_by"] = list(self.implied_by)
        return out


@dataclass(frozen=True, slots=True)
class Notice:
    """Information about the reading that is not a verdict (contract §5)."""

    kind: str
    """``translation_gap``, ``field_conflict``, ``truncated``, ``encoding_guess`` or ``skipped``."""
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass(frozen=True, slots=True)
class FieldValue:
    """A credit line, byline, source, date, URL or copyright notice pulled out of a text."""

    kind: str
    """``credit``, ``byline``, ``source``, ``copyright``, ``date`` or ``url``."""
    text: str
    """The characters as written."""
    value: str
    """The normalised value: the name for credits, ISO 8601 for dates, the URL itself."""
    field: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "value": self.value, "field": self.field,
                "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Caption:
    """A parsed caption: its language segments, restrictions, pulled-out fields and notices."""

    texts: Mapping[str, str]
    """The input text of each field (``{"caption": text}`` for plain text)."""
    segments: tuple[Segment, ...]
    restrictions: tuple[Restriction, ...]
    fields: Mapping[str, tuple[FieldValue, ...]]
    """Pulled-out values by kind: ``credit``, ``byline``, ``source``, ``copyright``, ``date``,
    ``url``. Kinds that were not found are absent."""
    notices: tuple[Notice, ...] = ()
    source: str | None = None
    """Where the text came from (a path, ``-`` for stdin), ``None`` for a string."""

    @property
    def text(self) -> str:
        """The caption text (the ``caption`` field)."""
        return self.texts.get("caption", "")

    def restriction(self, type_: str) -> Restriction | None:
        """The restriction of that type, if the text states or implies it."""
        for r in self.restrictions:
            if r.type == type_:
                return r
        return None

    def names(self, *kinds: str) -> tuple[str, ...]:
        """Values of the pulled-out fields of these kinds (e.g. ``"credit", "source"``)."""
        return tuple(v.value for k in kinds for v in self.fields.get(k, ()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "fields": dict(self.texts),
            "extracted": {k: [v.to_dict() for v in vs] for k, vs in self.fields.items()},
            "segments": [s.to_dict() for s in self.segments],
            "restrictions": [r.to_dict() for r in self.restrictions],
            "notices": [n.to_dict() for n in self.notices],
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one restriction for the planned use."""

    type: RestrictionType
    verdict: Verdict
    reason: str
    """One sentence quoting the evidence and naming the manifest field."""
    manifest_field: str | None
    """The manifest field that decided (or would decide) it, as a key path."""
    restriction: Restriction = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        return {"type": str(self.type), "verdict": str(self.verdict), "reason": self.reason,
                "manifest_field": self.manifest_field}


@dataclass(frozen=True, slots=True)
class Report:
    """Everything rights_check decided about one input."""

    source: str | None
    verdict: Verdict
    caption: Caption
    findings: tuple[Finding, ...]
    notices: tuple[Notice, ...]
    policy: str = "editorial"
    sha256: str | None = None
    """SHA-256 of the input file's bytes (``None`` for text given as a string)."""

    @property
    def restrictions(self) -> tuple[Restriction, ...]:
        return self.caption.restrictions

    def to_dict(self) -> dict[str, Any]:
        out = {
            "source": self.source,
            "sha256": self.sha256,
            "verdict": str(self.verdict),
            "policy": self.policy,
            "fields": dict(self.caption.texts),
            "extracted": {k: [v.to_dict() for v in vs] for k, vs in self.caption.fields.items()},
            "segments": [s.to_dict() for s in self.caption.segments],
            "restrictions": [r.to_dict() for r in self.caption.restrictions],
            "findings": [f.to_dict() for f in self.findings],
            "notices": [n.to_dict() for n in self.notices],
        }
        return out
