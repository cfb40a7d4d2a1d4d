"""The sentences findings give: quote the evidence, name the manifest field and its value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .model import Caption, Restriction, Verdict
from .usage import Usage

OK, REVIEW, VIOLATION = Verdict.OK, Verdict.NEEDS_REVIEW, Verdict.VIOLATION
Outcome = tuple[Verdict, str, str | None]
"""(verdict, reason, manifest field) of one rule."""
Rule = Callable[[Restriction, Usage, Caption, str], Outcome]


def quote(r: Restriction, limit: int = 90) -> str:
    ev = r.evidence[0]
    text = " ".join(ev.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if r.implied_by:
        return f"the licence {r.implied_by[0]} ('{text}') implies it"
    where = "caption" if ev.field == "caption" else f"{ev.field} field"
    return f"the {where} says '{text}'"


def show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    return "null" if value is None else str(value)


def get(u: Usage, path: str):
    if path.startswith("publisher."):
        return getattr(u.publisher, path.split(".", 1)[1])
    return getattr(u, path)


def say(r: Restriction, u: Usage, verdict: Verdict, field: str, extra: str = "") -> Outcome:
    sets = f"the usage sets {field}: {show(get(u, field))}"
    return verdict, f"{r.type}: {quote(r)}, and {sets}{extra}.", field


def missing(r: Restriction, *fields: str, why: str = "") -> Outcome:
    names = " and ".join(fields)
    verb = "does" if len(fields) == 1 else "do"
    return (REVIEW, f"{r.type}: {quote(r)}, and the usage does not state {names}, which "
                    f"{verb} decide it{why}.", fields[0])
