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


# --- list headings and their items --------------------------------------------------------

def _entry_cases(entries, which):
    for ph in entries:
        for i, ex in enumerate(ph.match if which == "match" else ph.no_match):
            yield pytest.param(ph, ex, id=f"{ph.key}:{which}{i}")


@pytest.mark.parametrize("heading,example", list(_entry_cases(DATA.headings, "match")))
def test_heading_example_reads_its_items(heading, example):
    caption = parse_caption(example.text)
    from_list = [(str(r.type), ev) for r in caption.restrictions for ev in r.evidence
                 if ev.phrase.startswith(heading.key + "/")]
    assert from_list, f"no item read under {heading.key} in {example.text!r}"
    for _, ev in from_list:
        assert example.text[ev.start:ev.end] == ev.text and "\n" not in ev.text


@pytest.mark.parametrize("heading,example", list(_entry_cases(DATA.headings, "no_match")))
def test_heading_no_match_reads_nothing(heading, example):
    caption = parse_caption(example)
    assert not [ev for r in caption.restrictions for ev in r.evidence if ev.phrase.startswith(heading.key + "/")]


@pytest.mark.parametrize("item,example", list(_entry_cases(DATA.items, "match")))
def test_item_example_gives_its_types(item, example):
    from rights_check.extract import _value

    m = item.regex.search(example.text)
    assert m is not None
    for type_ in item.types:
        value = _value(item, type_, m, {})
        assert value is not None
        for key, expected in (thaw(example.value) or {}).items():
            assert list(value[key]) == expected if isinstance(expected, list) else value[key] == expected


@pytest.mark.parametrize("item,example", list(_entry_cases(DATA.items, "no_match")))
def test_item_no_match(item, example):
    assert item.regex.search(example) is None


def test_list_items_under_a_ban_heading_in_a_real_terms_page():
    # fixtures/captions/captions.jsonl p126 (real text): the media bans are bullet items
    text = ("Prohibited Uses\n\nYou are not allowed to use the editorial content for the following "
            "purposes:\n\n  • Print covers\n  • Broadcast on television or over-the-top (OTT) platforms, "
            "such as Netflix\n  • Advertisements\n  • Merchandise\n  • Product packaging\n")
    media = parse_caption(text).restriction("media_excluded")
    assert media is not None
    assert set(thaw(media.value)["media"]) >= {"book_cover", "tv_broadcast", "merchandise", "product_packaging"}
    assert [e.text for e in media.evidence][:2] == ["Print covers", "Broadcast on television or over-the-top (OTT) platforms, such as Netflix"]


def test_a_grant_list_states_nothing():
    text = "You may use the images for:\n• Advertisements\n• Merchandise\n"
    assert parse_caption(text).restrictions == ()
