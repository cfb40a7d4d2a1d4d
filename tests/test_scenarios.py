"""Generated from tests/scenarios.toml: caption + planned use -> verdict per restriction."""

import json
import os
import tomllib

import pytest

import rights_check as rc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASE_KEYS = {"name", "caption", "caption_id", "usage", "policy", "verdict", "expect"}

with open(os.path.join(HERE, "scenarios.toml"), "rb") as fh:
    CASES = tomllib.load(fh)["case"]
with open(os.path.join(ROOT, "fixtures", "captions", "captions.jsonl"), encoding="utf-8") as fh:
    CAPTIONS = {r["id"]: r["text"] for r in map(json.loads, fh)}


def test_case_files_are_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert set(case) <= CASE_KEYS, case["name"]
        assert ("caption" in case) != ("caption_id" in case), case["name"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_scenario(case):
    text = case["caption"] if "caption" in case else CAPTIONS[case["caption_id"]]
    usage = case["usage"]
    if isinstance(usage, str):
        usage = rc.load_usage(os.path.join(ROOT, "fixtures", "usage", usage))
    report = rc.check(text, usage, policy=case.get("policy", "editorial"))
    got = {str(f.type): str(f.verdict) for f in report.findings}
    assert got == case["expect"], "\n".join(f.reason for f in report.findings)
    assert report.verdict == case["verdict"]
    for f in report.findings:
        assert f.reason.startswith(f"{f.type}: ") and f.reason.endswith(".")
        if f.verdict != "ok" or f.manifest_field:
            assert f.manifest_field is None or f.manifest_field.split(".")[0] in f.reason or \
                f.manifest_field in ("agreements",)
