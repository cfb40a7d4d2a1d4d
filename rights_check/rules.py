"""The verdict rule of each restriction type (contract §3), as data: ``RULES[type]``.

Each rule returns ``(verdict, reason, manifest_field)``; reasons are whole sentences that quote
the evidence and name the manifest field. Where the contract is silent the answer is
needs_review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from . import vocab
from .model import Caption, Restriction, RestrictionType, Verdict, VERDICT_RANK
from .regexcache import module_pattern
from .reasons import OK, REVIEW, VIOLATION, Outcome, Rule, get, missing, quote, say, show
from .usage import Usage

_NEWS = module_pattern(r"news|press|media|journalis", re.I)
_NOT_WORD = module_pattern(r"[\W_]+")


# --- purpose and flag rules ---------------------------------------------------------------

def _class_rule(flag: str, purposes: frozenset[str], label: str) -> Rule:
    def rule(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
        if get(u, flag) is True:
            return say(r, u, VIOLATION, flag)
        if u.purpose in purposes:
            return say(r, u, VIOLATION, "purpose", f", a {label} purpose")
        if flag == "political" and u.publisher.type == "political_party":
            return say(r, u, VIOLATION, "publisher.type")
        if flag == "commercial" and "license" in {x.type for x in c.restrictions} and r.implied_by \
                and u.publisher.nonprofit is not True and u.purpose in vocab.EDITORIAL_PURPOSES:
            return (REVIEW, f"{r.type}: {quote(r)}, and the usage sets purpose: {u.purpose} for a "
                            f"publisher that is not nonprofit: true; whether editorial use by a "
                            f"for-profit publisher is non-commercial is disputed.", "publisher.nonprofit")
        if get(u, flag) is False:
            return say(r, u, OK, flag)
        if u.purpose is not None:
            return say(r, u, OK, "purpose", f", which is not a {label} purpose")
        return missing(r, flag, "purpose")
    return rule


def editorial_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    if c.restriction("personal_use_by_subject") and u.publisher.depicted_subject is True \
            and u.purpose == "personal":
        return (OK, f"{r.type}: {quote(r)}, but the text also allows personal printing by the "
                    f"subject, and the usage sets publisher.depicted_subject: true with purpose: "
                    f"personal.", "purpose")
    if u.commercial is True:
        return say(r, u, VIOLATION, "commercial")
    if u.advertising is True:
        return say(r, u, VIOLATION, "advertising")
    if u.purpose is None:
        return missing(r, "purpose")
    if u.purpose not in vocab.EDITORIAL_PURPOSES:
        return say(r, u, VIOLATION, "purpose", ", which is not an editorial purpose")
    who = (r.value or {}).get("who") if r.value else None
    if who and _NEWS.search(who):
        kind = u.publisher.type
        if kind is None:
            return missing(r, "publisher.type", why=f" (the text limits publication to {who})")
        if kind in vocab.NEWS_PUBLISHER_TYPES:
            return say(r, u, OK, "publisher.type", ", a news publisher type")
        verdict = VIOLATION if kind in ("corporate", "political_party") else REVIEW
        return say(r, u, verdict, "publisher.type", f", which is not one of the {who}")
    return say(r, u, OK, "purpose", ", an editorial purpose")


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
        return missing(r, "edits")
    if not u.edits:
        return say(r, u, OK, "edits")
    verdicts = {e: judge(e) for e in u.edits}
    worst = max(verdicts.values(), key=VERDICT_RANK.__getitem__)
    if worst is OK:
        return say(r, u, OK, "edits", f", all allowed under the {profile} profile")
    named = [e for e, v in verdicts.items() if v is worst]
    word = "forbidden" if worst is VIOLATION else "in need of review"
    return say(r, u, worst, "edits", f"; {', '.join(named)} {'is' if len(named) == 1 else 'are'} "
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
        return say(r, u, VIOLATION, "endorsement_implied")
    if u.advertising is True:
        return say(r, u, VIOLATION, "advertising")
    if u.purpose in ("advertising", "marketing", "political_campaign"):
        return say(r, u, VIOLATION, "purpose")
    if u.endorsement_implied is False:
        return say(r, u, OK, "endorsement_implied")
    return missing(r, "endorsement_implied")


# --- credit --------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def mandatory_credit(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    required = (r.value or {}).get("credit") if r.value else None
    origin = "the text"
    if not required:
        names = c.names("credit", "byline", "source")
        required = names[0] if names else None
        origin = "the photo's credit field"
    if u.credit_line is None:
        return missing(r, "credit_line")
    if not required:
        return (REVIEW, f"{r.type}: {quote(r)}, but neither the text nor the photo names the "
                        f"credit, so the usage's credit_line '{u.credit_line}' cannot be checked.",
                "credit_line")
    if _norm(required) not in _norm(u.credit_line):
        return (VIOLATION, f"{r.type}: {quote(r)}, and the usage sets credit_line: "
                           f"'{u.credit_line}', which does not contain the credit "
                           f"'{required}' required by {origin}.", "credit_line")
    cc = [lic for lic in r.implied_by if lic.startswith("CC")]
    lic = c.restriction("license")
    url = (lic.value or {}).get("url") if lic and lic.value else None
    if cc and _norm(cc[0]) not in _norm(u.credit_line) and not (url and _norm(url) in _norm(u.credit_line)):
        return (REVIEW, f"{r.type}: {quote(r)}; the usage's credit_line '{u.credit_line}' names "
                        f"'{required}' but not the licence {cc[0]} or its URL, which the licence "
                        f"asks for.", "credit_line")
    return (OK, f"{r.type}: {quote(r)}, and the usage's credit_line '{u.credit_line}' contains "
                f"'{required}'.", "credit_line")


# --- yes/no fields -------------------------------------------------------------------------

def _flag_rule(flag: str, purposes: frozenset[str] = frozenset()) -> Rule:
    def rule(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
        if get(u, flag) is True:
            return say(r, u, VIOLATION, flag)
        if u.purpose in purposes:
            return say(r, u, VIOLATION, "purpose")
        if get(u, flag) is False:
            return say(r, u, OK, flag)
        return missing(r, flag)
    return rule


def no_ai_training(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    scope = (r.value or {}).get("scope") if r.value else None
    if u.purpose == "ai_training":
        return say(r, u, VIOLATION, "purpose")
    if u.ai_training is None:
        return missing(r, "ai_training")
    if u.ai_training == "none":
        return say(r, u, OK, "ai_training")
    if scope == "genai_training" and u.ai_training != "generative":
        # only generative training is barred; whether this use counts is for a person
        return say(r, u, REVIEW, "ai_training", ", and the text bars generative training")
    return say(r, u, VIOLATION, "ai_training")


# --- territories, media, parties -----------------------------------------------------------

def territory_excluded(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    banned = set((r.value or {}).get("territories") or ())
    blocked = set(u.geo_blocking or ())
    if u.publisher.country in banned:
        return say(r, u, VIOLATION, "publisher.country")
    if u.territories is not None:
        places = set(u.territories)
        hit = sorted(banned - blocked) if "WORLD" in places else sorted((places & banned) - blocked)
        if hit:
            return say(r, u, VIOLATION, "territories",
                       f" (minus geo_blocking: {show(u.geo_blocking)})" if blocked else "")
    if u.territories is None or u.publisher.country is None:
        unknown = [f for f, v in (("territories", u.territories), ("publisher.country", u.publisher.country)) if v is None]
        return missing(r, *unknown)
    return say(r, u, OK, "territories", f" and publisher.country: {u.publisher.country}")


def territory_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    allowed = set((r.value or {}).get("territories") or ())
    if u.territories is None:
        return missing(r, "territories")
    outside = [t for t in u.territories if t not in allowed]
    return say(r, u, VIOLATION if outside else OK, "territories")


def media_excluded(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    banned = set((r.value or {}).get("media") or ())
    if u.media is None:
        return missing(r, "media")
    return say(r, u, VIOLATION if banned & set(u.media) else OK, "media")


def media_only(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    allowed = set((r.value or {}).get("media") or ())
    if u.media is None:
        return missing(r, "media")
    return say(r, u, VIOLATION if set(u.media) - allowed else OK, "media")


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
            return say(r, u, VIOLATION, field)
        if u.publisher.type is None:
            return missing(r, "publisher.type")
        return say(r, u, OK, "publisher.type")
    if any(_party_key(n) in parties for n in names):
        field = "publisher.client_of" if u.publisher.client_of else "publisher.name"
        return say(r, u, OK, field)
    if u.publisher.client_of is not None:
        return say(r, u, VIOLATION, "publisher.client_of")
    return missing(r, "publisher.client_of")


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
        return (REVIEW, f"{r.type}: {quote(r)}, which names no date and time the embargo ends, "
                        f"so no first_use can be judged against it.", "first_use")
    if u.first_use is None:
        return missing(r, "first_use")
    order = _compare(u.first_use, until)
    if order is None:
        return (REVIEW, f"{r.type}: {quote(r)} (until {until.isoformat()}), and the usage sets "
                        f"first_use: {u.first_use.isoformat()}; without a UTC offset on both the "
                        f"order cannot be decided.", "first_use")
    return say(r, u, VIOLATION if order < 0 else OK, "first_use",
                f", {'before' if order < 0 else 'not before'} the embargo ends at {until.isoformat()}")


def expires(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    on = _when((r.value or {}).get("on"))
    if on is None:
        return (REVIEW, f"{r.type}: {quote(r)}, which names no date the use must end by; check "
                        f"the use against it by hand.", "first_use")
    if u.first_use is None:
        return missing(r, "first_use")
    order = _compare(u.first_use, on)
    if order is None:
        return (REVIEW, f"{r.type}: {quote(r)}; first_use {u.first_use.isoformat()} and the "
                        f"end {on.isoformat()} cannot be ordered without UTC offsets.", "first_use")
    if order > 0:
        return say(r, u, VIOLATION, "first_use", f", after the use ends on {on.isoformat()}")
    if u.media is None:
        return missing(r, "media")
    if set(u.media) & vocab.ONLINE_MEDIA:
        if not u.is_stated("run_until"):
            return missing(r, "run_until", why=" for online media")
        if u.run_until is None:
            return say(r, u, VIOLATION, "run_until", f" (online indefinitely), past {on.isoformat()}")
        later = _compare(u.run_until, on)
        if later is None:
            return missing(r, "run_until", why=" with a UTC offset")
        if later > 0:
            return say(r, u, VIOLATION, "run_until", f", past {on.isoformat()}")
    return say(r, u, OK, "first_use", f", before the use ends on {on.isoformat()}")


# --- grants, notices, reservations ---------------------------------------------------------

def grant(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    what = "a licence" if r.type == "license" else "a permission"
    return OK, f"{r.type}: {quote(r)}; this is {what}, not a limit: its terms are judged as their own restrictions.", None


def withdrawn(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    return VIOLATION, f"{r.type}: {quote(r)}; a withdrawn photo may not be used at all.", None


def supplier_names(c: Caption) -> list[str]:
    return list(c.names("credit", "source", "byline", "copyright"))


def mentions(haystack: list[str], needle: str) -> bool:
    pattern = re.compile(r"(?<!\w)" + re.escape(needle.casefold()) + r"(?!\w)")
    return any(pattern.search(h.casefold()) for h in haystack)


def rights_reserved(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    holder = (r.value or {}).get("holder") if r.value else None
    names = supplier_names(c) + ([holder] if holder else [])
    for client in u.publisher.client_of or ():
        if mentions(names, client):
            return (OK, f"{r.type}: {quote(r)}, and the usage sets publisher.client_of: "
                        f"{show(u.publisher.client_of)}, a client of the supplier '{client}'.",
                    "publisher.client_of")
    if c.restriction("license"):
        return (OK, f"{r.type}: {quote(r)}, but the licence in the text grants the use on its "
                    f"terms, which are judged separately.", None)
    grant_ = c.restriction("editorial_only")
    if grant_ is not None and editorial_only(grant_, u, c, policy)[0] is OK:
        return (OK, f"{r.type}: {quote(r)}, but the text makes it available for this editorial "
                    f"use ({quote(grant_)}).", "purpose")
    return (REVIEW, f"{r.type}: {quote(r)}; nothing in the text permits the use, and the usage's "
                    f"publisher.client_of {show(u.publisher.client_of)} names no supplier of "
                    f"this photo.", "publisher.client_of")


def editorial_notice(r: Restriction, u: Usage, c: Caption, policy: str) -> Outcome:
    if u.purpose in vocab.EDITORIAL_PURPOSES:
        return say(r, u, OK, "purpose", ", an editorial purpose")
    if u.purpose is None:
        return missing(r, "purpose")
    return say(r, u, REVIEW, "purpose", ", which is not editorial: clear the rights first")


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
