"""Judge each restriction against the planned use (contract §3): one finding per restriction,
by the type's rule in ``rules.RULES``; agreements that lift a finding; the report verdict."""

from __future__ import annotations

from .model import Caption, Finding, Restriction, RestrictionType, Verdict, VERDICT_RANK
from .reasons import OK, REVIEW, quote
from .rules import RULES, mentions, supplier_names
from .usage import Usage


def _agreement(r: Restriction, u: Usage, c: Caption) -> str | None:
    for a in u.agreements:
        if a.type != r.type:
            continue
        if a.supplier and not mentions(supplier_names(c), a.supplier):
            continue
        parts = [f"type: {a.type}"] + ([f"supplier: {a.supplier}"] if a.supplier else []) \
            + ([f"ref: {a.ref}"] if a.ref else [])
        return "{" + ", ".join(parts) + "}"
    return None


ENDORSEMENT_LIST_TYPES = frozenset({"no_commercial", "no_advertising", "no_political"})


def _qualifier(r: Restriction, c: Caption) -> str | None:
    """The endorsement qualifier a listed use is read with ("… that in any way suggests
    approval or endorsement …"), when it follows in the same sentence."""
    endorsement = c.restriction("no_endorsement")
    if r.type not in ENDORSEMENT_LIST_TYPES or endorsement is None or r.implied_by:
        return None
    ev = r.evidence[0]
    for q in endorsement.evidence:
        text = c.texts.get(q.field, "")
        if q.field == ev.field and 0 <= q.start - ev.end <= 200 and "." not in text[ev.end:q.start].replace("e.g.", ""):
            words = " ".join(q.text.split())
            return words if len(words) <= 90 else words[:89].rstrip() + "…"
    return None


def evaluate(caption: Caption, usage: Usage, policy: str = "editorial") -> tuple[Finding, ...]:
    """One finding per restriction of ``caption`` for ``usage`` under ``policy``."""
    findings = []
    for r in caption.restrictions:
        verdict, reason, field = RULES[r.type](r, usage, caption, policy)
        qualifier = _qualifier(r, caption)
        if qualifier:
            words = quote(r)
            reason = reason.replace(words, f"{words} (qualified by '{qualifier}')", 1)
        if verdict is not OK and r.type != "withdrawn":  # no agreement outlives a kill notice
            agreement = _agreement(r, usage, caption)
            if agreement:
                verdict, field = OK, "agreements"
                reason = f"{r.type}: {quote(r)}, but the usage's agreements lift it: {agreement}."
        findings.append(Finding(RestrictionType(r.type), verdict, reason, field, r))
    return tuple(findings)


def overall(findings, notices=()) -> Verdict:
    """The report verdict: the worst finding; a garbled or cut rights field forces a review."""
    worst = max((f.verdict for f in findings), key=VERDICT_RANK.__getitem__, default=OK)
    risky = any(n.kind in ("truncated", "encoding_guess") and n.field in RIGHTS_FIELDS for n in notices)
    if risky and worst is OK:
        return REVIEW
    return worst


RIGHTS_FIELDS = frozenset({"special_instructions", "usage_terms", "copyright", "caption"})
