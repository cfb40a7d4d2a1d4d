"""Generated from the phrase data: every ``match`` example is found by its own phrase (with the
expected value, when one is given); every ``no_match`` example yields none of the types; every
``ignore`` example cancels its types. Adding a phrase adds its tests."""

import pytest

from rights_check import parse_caption
from rights_check.model import thaw
from rights_check.phrases import build_phrases, index_json, load_phrases

DATA = build_phrases()


def _cases(kind):
    for ph in DATA.ignores if kind == "ignore" else DATA.phrases:
        examples = ph.match if kind in ("match", "ignore") else ph.no_match
        for i, ex in enumerate(examples):
            yield pytest.param(ph, ex, id=f"{ph.key}:{kind}{i}")


@pytest.mark.parametrize("phrase,example", list(_cases("match")))
def test_match_example_found_by_its_phrase(phrase, example):
    caption = parse_caption(example.text)
    for type_ in phrase.types:
        found = caption.restriction(type_)
        assert found is not None, f"{type_} not found in {example.text!r}"
        assert any(e.phrase == phrase.key for e in found.evidence), \
            f"{type_} found, but not by {phrase.key}: {[e.phrase for e in found.evidence]}"
        for ev in found.evidence:
            assert example.text[ev.start:ev.end] == ev.text
        if example.value is not None:
            value = thaw(found.value) or {}
            for key, expected in thaw(example.value).items():
                if key in value:
                    assert value[key] == expected, f"{type_}.{key}"
                elif len(phrase.types) == 1:
                    pytest.fail(f"{type_} has no value key {key!r}: {value}")


@pytest.mark.parametrize("phrase,example", list(_cases("no_match")))
def test_no_match_example_yields_nothing(phrase, example):
    caption = parse_caption(example)
    found = [r.type for r in caption.restrictions if r.type in phrase.types]
    assert not found, f"{example!r} gave {found}"


@pytest.mark.parametrize("phrase,example", list(_cases("ignore")))
def test_ignore_example_cancels_its_types(phrase, example):
    assert phrase.regex.search(example.text)
    caption = parse_caption(example.text)
    found = [r.type for r in caption.restrictions if r.type in phrase.types and r.stated]
    assert not found, f"{example.text!r} gave {found}"


def test_every_phrase_has_an_anchor_or_is_cheap():
    """The anchor test keeps throughput: only a few phrases may lack one."""
    missing = [p.key for p in DATA.phrases + DATA.ignores if not all(a.anchors for a in p.parts)]
    assert len(missing) <= max(10, len(DATA.phrases) // 10), missing


def test_index_is_current():
    """data/phrases.index.json is what load_phrases reads: it must match the phrase files.
    After editing a phrase file run: python -m rights_check.phrases"""
    import os

    import rights_check

    path = os.path.join(os.path.dirname(rights_check.__file__), "data", "phrases.index.json")
    with open(path, encoding="utf-8") as fh:
        assert fh.read() == index_json(DATA), "run: python -m rights_check.phrases"
    loaded = load_phrases()
    assert loaded.digest == DATA.digest
    assert [p.key for p in loaded.phrases] == [p.key for p in DATA.phrases]
    assert [p.parts for p in loaded.ignores] == [p.parts for p in DATA.ignores]
