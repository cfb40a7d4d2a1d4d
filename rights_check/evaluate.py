"""Judge each restriction against the planned use (contract §3): one finding per restriction.

Each rule returns ``(verdict, reason, manifest_field)``; reasons are whole sentences that quote
the evidence and name the manifest field. Where a rule is silent the answer is needs_review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from . import vocab
from .model import Caption, Finding, Restriction, RestrictionType, Verdict, VERDICT_RANK
from .usage import Usage

OK, REVIEW, VIOLATION = Verdict.OK, Verdict.NEEDS_REVIEW, Verdict.VIOLATION
Outcome = tuple[Verdict, str, str | None]
Rule = Callable[[Restriction, Usage, Caption, str], Outcome]


def _quote(r: Restriction, limit: int = 90) -> str:
    ev = r.evidence[0]
    text = " ".join(ev.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if r.implied_by:
        return f"the licence {r.implied_by[0]} ('{text}') implies it"
    where = "caption" if ev.field == "caption" else f"{ev.field} field"
    return f"the {where} says '{text}'"


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    return "null" if value is None else str(value)


def _get(u: Usage, path: str):
    if path.startswith("publisher."):
        return getattr(u.publisher, path.split(".", 1)[1])
    return getattr(u, path)


def _say(r: Restriction, u: Usage, verdict: Verdict, field: str, extra: str = "") -> Outcome:
    sets = f"the usage sets {field}: {_show(_get(u, field))}"
    return verdict, f"{r.type}: {_quote(r)}, and {sets}{extra}.", field


def _missing(r: Restriction, *fields: str, why: str = "") -> Outcome:
    names = " and ".join(fields)
    verb = "does" if len(fields) == 1 else "do"
    return (REVIEW, f"{r.type}: {_quote(r)}, and the usage does not state {names}, which "
                    f"{verb} decide it{why}.", fields[0])


def _stated(u: Usage, path: str) -> bool:
    return u.is_stated(path) and (_get(u, path) is not None or path == "run_until")


# --- purpose and flag rules ---------------------------------------------------------------

def _class_rule(flag: str, purposes: frozenset[str], label: str) -> Rule:
    def rule(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
        if _get(u, flag) is True:
            return _say(r, u, VIOLATION, flag)
        if u.purpose in purposes:
            return _say(r, u, VIOLATION, "purpose", f", a {label} purpose")
        if flag == "political" and u.publisher.type == "political_party":
            return _say(r, u, VIOLATION, "publisher.type")
        if flag == "commercial" and "license" in {x.type for x in c.restrictions} and r.implied_by \
                and u.publisher.nonprofit is not True and u.purpose in vocab.EDITORIAL_PURPOSES:
            return (REVIEW, f"{r.type}: {_quote(r)}, and the usage sets purpose: {u.purpose} for a "
                            f"publisher that is not nonprofit: true; whether editorial use by a "
                            f"for-profit publisher is non-commercial is disputed.", "publisher.nonprofit")
        if _get(u, flag) is False:
            return _say(r, u, OK, flag)
        if u.purpose is not None:
            return _say(r, u, OK, "purpose", f", which is not a {label} purpose")
        return _missing(r, flag, "purpose")
    return rule


def editorial_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    if c.restriction("personal_use_by_subject") and u.publisher.depicted_subject is True \
            and u.purpose == "personal":
        return (OK, f"{r.type}: {_quote(r)}, but the text also allows personal printing by the "
                    f"subject, and the usage sets publisher.depicted_subject: true with purpose: "
                    f"personal.", "purpose")
    if u.commercial is True:
        return _say(r, u, VIOLATION, "commercial")
    if u.advertising is True:
        return _say(r, u, VIOLATION, "advertising")
    if u.purpose is None:
        return _missing(r, "purpose")
    if u.purpose not in vocab.EDITORIAL_PURPOSES:
        return _say(r, u, VIOLATION, "purpose", ", which is not an editorial purpose")
    who = (r.value or {}).get("who") if r.value else None
    if who and re.search(r"news|press|media|journalis", who, re.I):
        kind = u.publisher.type
        if kind is None:
            return _missing(r, "publisher.type", why=f" (the text limits publication to {who})")
        if kind in vocab.NEWS_PUBLISHER_TYPES:
            return _say(r, u, OK, "publisher.type", ", a news publisher type")
        verdict = VIOLATION if kind in ("corporate", "political_party") else REVIEW
        return _say(r, u, verdict, "publisher.type", f", which is not one of the {who}")
    return _say(r, u, OK, "purpose", ", an editorial purpose")


def _edit_verdict(edit: str, strict: bool, forbidden: set[str]) -> Verdict:
    if edit in forbidden:
        return VIOLATION
    if strict:
        if edit in vocab.STRICT_OK_EDITS:
            return OK
        return VIOLATION if edit in vocab.STRICT_VIOLATION_EDITS else REVIEW
    if edit in vocab.EDITORIAL_OK_EDITS:
        return OK
    return VIOLATION if edit in vocab.EDITORIAL_VIOLATION_EDITS else REVIEW


def _judge_edits(r: Restriction, u: Usage, judge: Callable[[str], Verdict], profile: str) -> Outcome:
    if u.edits is None:
        return _missing(r, "edits")
    if not u.edits:
        return _say(r, u, OK, "edits")
    verdicts = {e: judge(e) for e in u.edits}
    worst = max(verdicts.values(), key=VERDICT_RANK.__getitem__)
    if worst is OK:
        return _say(r, u, OK, "edits", f", all allowed under the {profile} profile")
    named = [e for e, v in verdicts.items() if v is worst]
    word = "forbidden" if worst is VIOLATION else "in need of review"
    return _say(r, u, worst, "edits", f"; {', '.join(named)} {'is' if len(named) == 1 else 'are'} "
                                      f"{word} under the {profile} profile")


def no_manipulation(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    value = r.value or {}
    strict = policy == "strict" or bool(value.get("strict"))
    forbidden = set(value.get("forbidden") or ())
    profile = "strict" if strict else "editorial"
    return _judge_edits(r, u, lambda e: _edit_verdict(e, strict, forbidden), profile)


def no_derivatives(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    def judge(edit: str) -> Verdict:
        if edit in vocab.TECHNICAL_EDITS:
            return OK
        if edit in vocab.EDITORIAL_VIOLATION_EDITS or edit == "text_overlay":
            return VIOLATION
        return REVIEW
    return _judge_edits(r, u, judge, "no-derivatives")


def share_alike(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    def judge(edit: str) -> Verdict:
        return OK if edit in vocab.TECHNICAL_EDITS else REVIEW
    outcome = _judge_edits(r, u, judge, "share-alike")
    if outcome[0] is REVIEW and u.edits:
        return (REVIEW, outcome[1].rstrip(".") + ": an adaptation must carry the same licence.",
                "edits")
    return outcome


def no_endorsement(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    if u.endorsement_implied is True:
        return _say(r, u, VIOLATION, "endorsement_implied")
    if u.advertising is True:
        return _say(r, u, VIOLATION, "advertising")
    if u.purpose in ("advertising", "marketing", "political_campaign"):
        return _say(r, u, VIOLATION, "purpose")
    if u.endorsement_implied is False:
        return _say(r, u, OK, "endorsement_implied")
    return _missing(r, "endorsement_implied")


# --- credit --------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def mandatory_credit(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    required = (r.value or {}).get("credit") if r.value else None
    origin = "the text"
    if not required:
        names = c.names("credit", "byline", "source")
        required = names[0] if names else None
        origin = "the photo's credit field"
    if u.credit_line is None:
        return _missing(r, "credit_line")
    if not required:
        return (REVIEW, f"{r.type}: {_quote(r)}, but neither the text nor the photo names the "
                        f"credit, so the usage's credit_line '{u.credit_line}' cannot be checked.",
                "credit_line")
    if _norm(required) not in _norm(u.credit_line):
        return (VIOLATION, f"{r.type}: {_quote(r)}, and the usage sets credit_line: "
                           f"'{u.credit_line}', which does not contain the credit "
                           f"'{required}' required by {origin}.", "credit_line")
    cc = [lic for lic in r.implied_by if lic.startswith("CC")]
    lic = c.restriction("license")
    url = (lic.value or {}).get("url") if lic and lic.value else None
    if cc and _norm(cc[0]) not in _norm(u.credit_line) and not (url and _norm(url) in _norm(u.credit_line)):
        return (REVIEW, f"{r.type}: {_quote(r)}; the usage's credit_line '{u.credit_line}' names "
                        f"'{required}' but not the licence {cc[0]} or its URL, which the licence "
                        f"asks for.", "credit_line")
    return (OK, f"{r.type}: {_quote(r)}, and the usage's credit_line '{u.credit_line}' contains "
                f"'{required}'.", "credit_line")


# --- yes/no fields -------------------------------------------------------------------------

def _flag_rule(flag: str, purposes: frozenset[str] = frozenset()) -> Rule:
    def rule(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
        if _get(u, flag) is True:
            return _say(r, u, VIOLATION, flag)
        if u.purpose in purposes:
            return _say(r, u, VIOLATION, "purpose")
        if _get(u, flag) is False:
            return _say(r, u, OK, flag)
        return _missing(r, flag)
    return rule


def no_ai_training(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    scope = (r.value or {}).get("scope") if r.value else None
    if u.purpose == "ai_training":
        return _say(r, u, VIOLATION, "purpose")
    if u.ai_training is None:
        return _missing(r, "ai_training")
    if u.ai_training == "none":
        return _say(r, u, OK, "ai_training")
    if scope == "genai_training" and u.ai_training != "generative":
        # only generative training is barred; whether this use counts is for a person
        return _say(r, u, REVIEW, "ai_training", ", and the text bars generative training")
    return _say(r, u, VIOLATION, "ai_training")


# --- territories, media, parties -----------------------------------------------------------

def territory_excluded(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    banned = set((r.value or {}).get("territories") or ())
    blocked = set(u.geo_blocking or ())
    if u.publisher.country in banned:
        return _say(r, u, VIOLATION, "publisher.country")
    if u.territories is not None:
        places = set(u.territories)
        hit = sorted(banned - blocked) if "WORLD" in places else sorted((places & banned) - blocked)
        if hit:
            return _say(r, u, VIOLATION, "territories",
                        f" (minus geo_blocking: {_show(u.geo_blocking)})" if blocked else "")
    if u.territories is None or u.publisher.country is None:
        missing = [f for f, v in (("territories", u.territories), ("publisher.country", u.publisher.country)) if v is None]
        return _missing(r, *missing)
    return _say(r, u, OK, "territories", f" and publisher.country: {u.publisher.country}")


def territory_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    allowed = set((r.value or {}).get("territories") or ())
    if u.territories is None:
        return _missing(r, "territories")
    outside = [t for t in u.territories if t not in allowed]
    return _say(r, u, VIOLATION if outside else OK, "territories")


def media_excluded(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    banned = set((r.value or {}).get("media") or ())
    if u.media is None:
        return _missing(r, "media")
    return _say(r, u, VIOLATION if banned & set(u.media) else OK, "media")


def media_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    allowed = set((r.value or {}).get("media") or ())
    if u.media is None:
        return _missing(r, "media")
    return _say(r, u, VIOLATION if set(u.media) - allowed else OK, "media")


def _party_key(name: str) -> str:
    return _norm(name).removesuffix("s")


def publisher_restricted(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    value = r.value or {}
    parties = {_party_key(p) for p in value.get("parties") or ()}
    names = [n for n in (u.publisher.client_of or ())] + ([u.publisher.name] if u.publisher.name else [])
    if value.get("mode") == "excluded":
        mine = [n for n in [u.publisher.type, u.publisher.name] if n]
        if any(_party_key(n) in parties for n in mine):
            field = "publisher.type" if u.publisher.type and _party_key(u.publisher.type) in parties else "publisher.name"
            return _say(r, u, VIOLATION, field)
        if u.publisher.type is None:
            return _missing(r, "publisher.type")
        return _say(r, u, OK, "publisher.type")
    if any(_party_key(n) in parties for n in names):
        field = "publisher.client_of" if u.publisher.client_of else "publisher.name"
        return _say(r, u, OK, field)
    if u.publisher.client_of is not None:
        return _say(r, u, VIOLATION, "publisher.client_of")
    return _missing(r, "publisher.client_of")


# --- time ----------------------------------------------------------------------------------

_SLACK = timedelta(hours=14)  # the widest UTC offsets: an unknown zone could be anywhere in it


def _compare(a: datetime, b: datetime) -> int | None:
    """-1, 0 or 1 for a < b, a == b, a > b; None when an unknown offset could change it.

    A time without an offset could be in any zone, so it stands for a 28-hour window."""
    def window(t: datetime) -> tuple[datetime, datetime]:
        if t.tzinfo is None:
            return t - _SLACK, t + _SLACK
        utc = t.astimezone(timezone.utc).replace(tzinfo=None)
        return utc, utc
    alo, ahi = window(a)
    blo, bhi = window(b)
    if ahi < blo:
        return -1
    if alo > bhi:
        return 1
    if a.tzinfo is not None and b.tzinfo is not None:
        return 0
    return None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def embargo(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    until = _when((r.value or {}).get("until"))
    if until is None:
        return (REVIEW, f"{r.type}: {_quote(r)}, which names no date and time the embargo ends, "
                        f"so no first_use can be judged against it.", "first_use")
    if u.first_use is None:
        return _missing(r, "first_use")
    order = _compare(u.first_use, until)
    if order is None:
        return (REVIEW, f"{r.type}: {_quote(r)} (until {until.isoformat()}), and the usage sets "
                        f"first_use: {u.first_use.isoformat()}; without a UTC offset on both the "
                        f"order cannot be decided.", "first_use")
    return _say(r, u, VIOLATION if order < 0 else OK, "first_use",
                f", {'before' if order < 0 else 'not before'} the embargo ends at {until.isoformat()}")


def expires(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    on = _when((r.value or {}).get("on"))
    if on is None:
        return (REVIEW, f"{r.type}: {_quote(r)}, which names no date the use must end by; check "
                        f"the use against it by hand.", "first_use")
    if u.first_use is None:
        return _missing(r, "first_use")
    order = _compare(u.first_use, on)
    if order is None:
        return (REVIEW, f"{r.type}: {_quote(r)}; first_use {u.first_use.isoformat()} and the "
                        f"end {on.isoformat()} cannot be ordered without UTC offsets.", "first_use")
    if order > 0:
        return _say(r, u, VIOLATION, "first_use", f", after the use ends on {on.isoformat()}")
    if u.media is None:
        return _missing(r, "media")
    if set(u.media) & vocab.ONLINE_MEDIA:
        if not u.is_stated("run_until"):
            return _missing(r, "run_until", why=" for online media")
        if u.run_until is None:
            return _say(r, u, VIOLATION, "run_until", f" (online indefinitely), past {on.isoformat()}")
        later = _compare(u.run_until, on)
        if later is None:
            return _missing(r, "run_until", why=" with a UTC offset")
        if later > 0:
            return _say(r, u, VIOLATION, "run_until", f", past {on.isoformat()}")
    return _say(r, u, OK, "first_use", f", before the use ends on {on.isoformat()}")


# --- grants, notices, reservations ---------------------------------------------------------

def grant(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    what = "a licence" if r.type == "license" else "a permission"
    return OK, f"{r.type}: {_quote(r)}; this is {what}, not a limit: its terms are judged as their own restrictions.", None


def withdrawn(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    return VIOLATION, f"{r.type}: {_quote(r)}; a withdrawn photo may not be used at all.", None


def _supplier_names(c: Caption) -> list[str]:
    return list(c.names("credit", "source", "byline", "copyright"))


def _mentions(haystack: list[str], needle: str) -> bool:
    pattern = re.compile(r"(?<!\w)" + re.escape(needle.casefold()) + r"(?!\w)")
    return any(pattern.search(h.casefold()) for h in haystack)


def rights_reserved(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    holder = (r.value or {}).get("holder") if r.value else None
    names = _supplier_names(c) + ([holder] if holder else [])
    for client in u.publisher.client_of or ():
        if _mentions(names, client):
            return (OK, f"{r.type}: {_quote(r)}, and the usage sets publisher.client_of: "
                        f"{_show(u.publisher.client_of)}, a client of the supplier '{client}'.",
                    "publisher.client_of")
    if c.restriction("license"):
        return (OK, f"{r.type}: {_quote(r)}, but the licence in the text grants the use on its "
                    f"terms, which are judged separately.", None)
    grant_ = c.restriction("editorial_only")
    if grant_ is not None and editorial_only(grant_, u, c, policy)[0] is OK:
        return (OK, f"{r.type}: {_quote(r)}, but the text makes it available for this editorial "
                    f"use ({_quote(grant_)}).", "purpose")
    return (REVIEW, f"{r.type}: {_quote(r)}; nothing in the text permits the use, and the usage's "
                    f"publisher.client_of {_show(u.publisher.client_of)} names no supplier of "
                    f"this photo.", "publisher.client_of")


def editorial_notice(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    if u.purpose in vocab.EDITORIAL_PURPOSES:
        return _say(r, u, OK, "purpose", ", an editorial purpose")
    if u.purpose is None:
        return _missing(r, "purpose")
    return _say(r, u, REVIEW, "purpose", ", which is not editorial: clear the rights first")


RULES: dict[str, Rule] = {
    "editorial_only": editorial_only,
    "personal_use_by_subject": grant,
    "no_manipulation": no_manipulation,
    "no_derivatives": no_derivatives,
    "no_commercial": _class_rule("commercial", vocab.COMMERCIAL_PURPOSES, "commercial"),
    "no_advertising": _class_rule("advertising", vocab.ADVERTISING_PURPOSES, "advertising"),
    "no_endorsement": no_endorsement,
    "no_political": _class_rule("political", vocab.POLITICAL_PURPOSES, "political"),
    "mandatory_credit": mandatory_credit,
    "no_resale": _flag_rule("resale", frozenset({"stock_resale"})),
    "no_archive": _flag_rule("archive"),
    "territory_excluded": territory_excluded,
    "territory_only": territory_only,
    "media_excluded": media_excluded,
    "media_only": media_only,
    "publisher_restricted": publisher_restricted,
    "embargo": embargo,
    "expires": expires,
    "withdrawn": withdrawn,
    "license": grant,
    "share_alike": share_alike,
    "no_ai_training": no_ai_training,
    "rights_reserved": rights_reserved,
    "third_party_notice": editorial_notice,
    "clearance_required": editorial_notice,
}
assert set(RULES) == {t.value for t in RestrictionType}, "every type needs a rule"


def _agreement(r: Restriction, u: Usage, c: Caption) -> str | None:
    for a in u.agreements:
        if a.type != r.type:
            continue
        if a.supplier and not _mentions(_supplier_names(c), a.supplier):
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
            quote = _quote(r)
            reason = reason.replace(quote, f"{quote} (qualified by '{qualifier}')", 1)
        if verdict is not OK and r.type != "withdrawn":  # no agreement outlives a kill notice
            agreement = _agreement(r, usage, caption)
            if agreement:
                verdict, field = OK, "agreements"
                reason = f"{r.type}: {_quote(r)}, but the usage's agreements lift it: {agreement}."
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
