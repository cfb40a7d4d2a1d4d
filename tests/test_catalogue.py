"""The restriction catalogue (data/restrictions.toml) against the rules that judge each type.

Every manifest field an entry lists must be one the rule for that type really names (as a
finding's manifest_field, or as "field: value" / "does not state field" in its reason), and
every manifest_field a rule returns must be listed. The rules are run on restrictions the
extractor finds in the entry's first English example, plus hand-made restrictions covering the
value shapes of contract §1, against an empty manifest and many filled ones.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from rights_check import catalogue as cat
from rights_check import evaluate, rules, vocab
from rights_check.caption import parse_caption
from rights_check.errors import DataError
from rights_check.model import Caption, Evidence, FieldValue, Restriction, RestrictionType, freeze
from rights_check.usage import Usage, load_usage

TYPES = [str(t) for t in RestrictionType]
TEXT = (resources.files("rights_check") / "data" / "restrictions.toml").read_text("utf-8")
PATHS = cat.manifest_paths()

# Hand-made (value, implied_by) per type, covering the value shapes the rules branch on.
VALUES: dict[str, list[tuple[object, tuple[str, ...]]]] = {
    "editorial_only": [(None, ()), ({"who": "news organizations"}, ())],
    "no_manipulation": [({"strict": False, "forbidden": None}, ()),
                        ({"strict": True, "forbidden": ["crop"]}, ())],
    "no_commercial": [(None, ()), (None, ("CC-BY-NC-4.0",))],
    "no_endorsement": [({"by": "the President"}, ()), (None, ("KOGL-1",))],
    "mandatory_credit": [(None, ()), ({"credit": "JOHN DOE/AFP"}, ()), (None, ("CC-BY-NC-4.0",))],
    "no_archive": [(None, ()), ({"limit": "three months"}, ())],
    "territory_excluded": [({"territories": ["KR", "JP"]}, ())],
    "territory_only": [({"territories": ["KR"]}, ())],
    "media_excluded": [({"media": ["magazine_print"]}, ())],
    "media_only": [({"media": ["website"]}, ())],
    "publisher_restricted": [({"mode": m, "parties": [p]}, ()) for m in ("only", "excluded")
                             for p in ("AP", "NEWSMAGAZINES", "Acme")],
    "embargo": [({"until": "2026-05-02T00:00:00+09:00", "text": "EMBARGOED"}, ()),
                ({"until": None, "text": "HOLD FOR RELEASE"}, ())],
    "expires": [({"on": "2026-06-01T00:00:00+09:00", "text": "until June 1"}, ()),
                ({"on": None, "text": "use within 30 days"}, ())],
    "withdrawn": [({"text": "MANDATORY KILL"}, ())],
    "license": [({"id": "CC-BY-NC-4.0", "url": None}, ())],
    "no_ai_training": [({"scope": s}, ()) for s in ("ai_training", "genai_training", "ai_use")],
    "rights_reserved": [({"holder": "AP"}, ()), (None, ())],
    "third_party_notice": [({"text": "SUPPLIED BY A THIRD PARTY"}, ())],
    "clearance_required": [({"contact": "AP"}, ()), (None, ())],
}

NEWS = {"publisher": {"name": "Example Daily", "type": "news_publisher", "country": "KR",
                      "nonprofit": False, "client_of": ["AP"], "depicted_subject": False},
        "purpose": "news_reporting", "commercial": False, "advertising": False,
        "endorsement_implied": False, "political": False, "media": ["newspaper_print", "website"],
        "territories": ["KR", "US"], "geo_blocking": ["JP"],
        "first_use": "2026-05-01T09:00:00+09:00", "run_until": None, "edits": ["crop"],
        "credit_line": "JOHN DOE/AFP", "archive": False, "resale": False, "ai_training": "none"}
ADVERT = {"publisher": {"name": "Acme", "type": "corporate", "client_of": []},
          "purpose": "advertising", "commercial": True, "advertising": True,
          "endorsement_implied": True, "political": True, "media": ["outdoor_display"],
          "territories": ["WORLD"], "geo_blocking": ["JP"], "first_use": "2027-01-01T00:00:00Z",
          "run_until": "2030-01-01T00:00:00Z", "edits": ["retouch", "text_overlay"],
          "credit_line": "Acme", "archive": True, "resale": True, "ai_training": "generative"}
MANIFESTS = [{}, NEWS, ADVERT,
             {"publisher": {"depicted_subject": True, "type": "individual"}, "purpose": "personal"},
             {"purpose": "news_reporting", "publisher": {"type": "blog"}},
             {"first_use": "2026-05-01T09:00:00+09:00"},
             {"first_use": "2026-05-01T09:00:00+09:00", "media": ["website"]},
             {**NEWS, "run_until": "2027-01-01T00:00:00+09:00", "credit_line": "JOHN DOE/AFP CC BY-NC 4.0"},
             {**NEWS, "publisher": {"type": "newsmagazine"}, "edits": []},
             {**NEWS, "ai_training": "non_generative", "edits": ["resize"]},
             *({"purpose": p} for p in vocab.PURPOSES),
             *({"publisher": {"type": t}} for t in vocab.PUBLISHER_TYPES),
             *({flag: b} for flag in ("commercial", "advertising", "endorsement_implied",
                                      "political", "archive", "resale") for b in (True, False)),
             *({"edits": [e]} for e in vocab.EDITS)]
USAGES = [load_usage(m) for m in MANIFESTS]


def _restriction(type_: str, value: object, implied_by: tuple[str, ...] = ()) -> Restriction:
    text = f"({type_} wording)"
    return Restriction(RestrictionType(type_), freeze(value),
                       (Evidence("caption", 0, len(text), text, "en"),), implied_by)


def _captions(r: Restriction) -> list[Caption]:
    """``r`` alone, and with the grants and credit fields other rules look at."""
    credit = {"credit": (FieldValue("credit", "AP Photo/John Doe", "AP Photo/John Doe",
                                    "caption", 0, 17),)}
    context = [_restriction("license", {"id": "CC-BY-NC-4.0", "url": None}),
               _restriction("personal_use_by_subject", None),
               _restriction("editorial_only", {"who": "news organizations"})]
    others = [x for x in context if x.type != r.type]
    sets = [(r,), *((r, x) for x in others), (r, *others)]
    return [Caption({"caption": ""}, (), rs, fields) for rs in sets for fields in ({}, credit)]


def _first_english(entry: cat.RestrictionInfo) -> str:
    return next(e for e in entry.examples if e.isascii())


_PATH = "|".join(re.escape(p) for p in sorted(PATHS, key=len, reverse=True))
_SHOWN = re.compile(rf"(?<![\w.])({_PATH}):")
_UNSTATED = re.compile(r"does not state (.+?), which")
_ANY = re.compile(rf"(?<![\w.])({_PATH})\b")


def _named(reason: str, field: str | None) -> set[str]:
    """Key paths a finding names: its manifest_field, and paths its reason shows a value of
    ("field: value") or says the usage does not state."""
    out = {field} if field else set()
    out |= set(_SHOWN.findall(reason))
    m = _UNSTATED.search(reason)
    if m:
        out |= set(_ANY.findall(m.group(1)))
    return out


def _exercise(type_: str) -> tuple[set[str], set[str]]:
    """(paths named anywhere, paths returned as manifest_field) by the rule for ``type_``."""
    entry = cat.info(type_)
    restrictions = [r for r in parse_caption(_first_english(entry)).restrictions if r.type == type_]
    restrictions += [_restriction(type_, v, imp) for v, imp in VALUES.get(type_, [(None, ())])]
    named: set[str] = set()
    returned: set[str] = set()
    for r in restrictions:
        for c in _captions(r):
            for u in USAGES:
                for policy in vocab.POLICIES:
                    verdict, reason, field = rules.RULES[type_](r, u, c, policy)
                    assert reason.startswith(f"{type_}: ") and reason.endswith("."), reason
                    named |= _named(reason, field)
                    returned |= {field} if field else set()
            # An agreement for the type lifts any finding that is not ok.
            agreed = Usage(agreements=load_usage({"agreements": [{"type": type_}]}).agreements)
            for f in evaluate.evaluate(c, agreed):
                if f.type == type_ and f.manifest_field:
                    named.add(f.manifest_field)
                    returned.add(f.manifest_field)
    return named, returned


def test_every_type_has_one_entry_in_order_and_a_rule():
    entries = cat.catalogue()
    assert [str(e.type) for e in entries] == TYPES
    assert set(rules.RULES) == set(TYPES)
    assert cat.catalogue() is entries  # cached


def test_entries_are_well_formed():
    for e in cat.catalogue():
        assert 2 <= len(e.examples) <= 4, e.type
        assert any(x.isascii() for x in e.examples), f"{e.type}: no English example"
        assert e.examples[0].isascii(), f"{e.type}: put an English example first"
        assert set(e.manifest_fields) <= PATHS
        sentences = len(re.findall(r"[.!?](?:\s|$)", e.judged))
        assert 1 <= sentences <= 5, f"{e.type}.judged has {sentences} sentences"
    with_other = [e.type for e in cat.catalogue() if not all(x.isascii() for x in e.examples)]
    assert len(with_other) >= 15  # Korean or other-language wordings wherever the corpus has them


@pytest.mark.parametrize("type_", TYPES)
def test_manifest_fields_match_the_rule(type_):
    named, returned = _exercise(type_)
    listed = set(cat.info(type_).manifest_fields)
    assert listed <= named, f"{type_}: listed but never named by the rule: {listed - named}"
    extra = returned - listed
    if type_ == "withdrawn":  # contract §3: always violation (evaluate lets an agreement lift it)
        extra -= {"agreements"}
    assert not extra, f"{type_}: the rule names fields the catalogue omits: {extra}"


def test_info_unknown_type_lists_valid_types():
    assert cat.info("no_commercial").title
    with pytest.raises(KeyError, match="valid: editorial_only, .*clearance_required"):
        cat.info("no-such-type")


def test_load_rejects_unknown_key():
    bad = TEXT.replace("[no_archive]\n", '[no_archive]\ncolour = "red"\n', 1)
    with pytest.raises(DataError) as e:
        cat.load(bad)
    assert e.value.problems == [
        "data/restrictions.toml:no_archive.colour: unknown key (allowed: title, meaning, "
        "examples, value, manifest_fields, judged)"]


def test_load_rejects_missing_type_and_collects_every_problem():
    start = TEXT.index("[territory_only]")
    bad = TEXT[:start] + TEXT[TEXT.index("[media_excluded]"):]
    bad = bad.replace('manifest_fields = ["media", "agreements"]',
                      'manifest_fields = ["medium", "agreements"]', 1)
    bad = re.sub(r'\njudged = "violation when political[^\n]*', "", bad, count=1)
    bad += '\n[no_such_type]\ntitle = "x"\n'
    with pytest.raises(DataError) as e:
        cat.load(bad)
    problems = e.value.problems
    assert "data/restrictions.toml:territory_only: missing" in problems
    assert any(p.startswith("data/restrictions.toml:no_such_type: unknown restriction type")
               for p in problems)
    assert any(p.startswith("data/restrictions.toml:media_excluded.manifest_fields: 'medium' is "
                            "not a manifest key path") for p in problems)
    assert "data/restrictions.toml:no_political.judged: missing" in problems
    assert len(problems) == 4


def test_load_rejects_bad_toml_and_duplicates():
    with pytest.raises(DataError, match="not valid TOML"):
        cat.load(TEXT + '\n[no_archive]\ntitle = "again"\n')
