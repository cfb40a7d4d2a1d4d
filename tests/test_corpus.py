"""Data-driven over the labelled corpus in fixtures/captions/*.jsonl: every record's extracted
restriction types equal its labels, except the gaps listed (with reasons) in
caption_known_gaps.toml; the fixture records themselves are well formed."""

import glob
import json
import os
import tomllib

import pytest

from rights_check import parse_caption
from rights_check.model import RestrictionType

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FILES = sorted(glob.glob(os.path.join(ROOT, "fixtures", "captions", "*.jsonl")))
RECORDS = [json.loads(line) for path in FILES for line in open(path, encoding="utf-8") if line.strip()]
with open(os.path.join(HERE, "caption_known_gaps.toml"), "rb") as fh:
    GAPS = {g["id"]: g for g in tomllib.load(fh)["gap"]}
TYPES = {t.value for t in RestrictionType}


def test_records_are_well_formed():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    texts = [r["text"] for r in RECORDS]
    assert len(texts) == len(set(texts))
    for r in RECORDS:
        assert set(r) == {"id", "text", "source", "langs", "restrictions", "note"}, r["id"]
        assert r["source"].strip(), r["id"]
        for label in r["restrictions"]:
            assert label["type"] in TYPES, r["id"]
            assert label["quote"] in r["text"], (r["id"], label["quote"])


def test_corpus_has_what_the_issue_asks_for():
    korean = [r for r in RECORDS if "ko" in r["langs"]]
    unrestricted = [r for r in RECORDS if not r["restrictions"]]
    assert len(RECORDS) >= 60 and len(korean) >= 15 and len(unrestricted) >= 15
    assert any(r["id"] == "seed" for r in RECORDS)


def test_every_listed_gap_names_a_record():
    ids = {r["id"] for r in RECORDS}
    for gap_id, gap in GAPS.items():
        assert gap_id in ids and gap["reason"].strip()


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_extraction_matches_labels(record):
    expected = {label["type"] for label in record["restrictions"]}
    found = {str(r.type) for r in parse_caption(record["text"]).restrictions}
    gap = GAPS.get(record["id"], {})
    missed, extra = expected - found, found - expected
    assert missed == set(gap.get("missed", ())), f"missed {sorted(missed)}"
    assert extra == set(gap.get("extra", ())), f"extra {sorted(extra)}"
