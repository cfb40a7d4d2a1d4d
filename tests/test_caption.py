"""parse_caption: language segments, pulled-out fields, translation gaps, determinism."""

import json
import os

import pytest

from rights_check import parse_caption
from rights_check.segment import decide_by_rules, segment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "fixtures", "captions", "captions.jsonl"), encoding="utf-8") as fh:
    RECORDS = [json.loads(line) for line in fh]
SEED = RECORDS[0]["text"]


def test_seed_segments_cover_the_text_in_order():
    caption = parse_caption(SEED)
    segs = caption.segments
    assert segs[0].start == 0 and segs[-1].end == len(SEED)
    assert all(a.end == b.start for a, b in zip(segs, segs[1:]))
    assert [s.lang for s in segs] == ["en", "ko"]
    assert SEED[segs[1].start:segs[1].end].startswith("평창")


def test_seed_translation_gap_names_the_missing_korean_block():
    caption = parse_caption(SEED)
    gaps = [n for n in caption.notices if n.kind == "translation_gap"]
    assert gaps and all("not in the ko text" in n.message for n in gaps)
    assert {t for t in ("editorial_only", "no_commercial") if any(n.message.startswith(t) for n in gaps)} \
        == {"editorial_only", "no_commercial"}
    # February 9, 2018 and 2018-02-09 agree: no date notice
    assert not any("dates disagree" in n.message for n in caption.notices)


def test_disagreeing_dates_between_blocks_are_noticed():
    text = ("Visitors walk past the palace in Seoul on March 3, 2024. EDITORIAL USE ONLY. / "
            "2024년 3월 4일 서울 경복궁을 찾은 관광객들이 산책하고 있다.")
    notes = [n.message for n in parse_caption(text).notices]
    assert any("dates disagree" in m for m in notes), notes


def test_seed_fields():
    caption = parse_caption(SEED)
    assert "2018-02-09" in caption.names("date")
    assert any("pss.go.kr" in u for u in caption.names("url"))
    assert "Presidential Security Service" in caption.names("credit")


@pytest.mark.parametrize("text,kind,value", [
    ("Protesters march in Seoul. REUTERS/Kim Hong-Ji", "byline", "Kim Hong-Ji"),
    ("Protesters march in Seoul. REUTERS/Kim Hong-Ji", "source", "REUTERS"),
    ("A man walks by. (AP Photo/Ahn Young-joon)", "credit", "AP Photo/Ahn Young-joon"),
    ("[통일부 제공. 재판매 및 DB 금지]", "source", "통일부"),
    ("(서울=연합뉴스) 홍길동 기자 = 비가 내린다.", "source", "연합뉴스"),
    ("© 2021 Jane Doe", "copyright", "Jane Doe"),
    ("2018년 2월 9일 촬영", "date", "2018-02-09"),
    ("le 9 février 2018 à Paris", "date", "2018-02-09"),
    ("Aufnahme vom 9. Februar 2018", "date", "2018-02-09"),
])
def test_pulled_out_fields(text, kind, value):
    assert value in parse_caption(text).names(kind)


@pytest.mark.parametrize("text,lang", [
    ("EDITORIAL USE ONLY. NO SALES. NO ARCHIVES.", "en"),
    ("Nur zur redaktionellen Verwendung im Zusammenhang mit der Berichterstattung", "de"),
    ("Usage éditorial uniquement, pas de vente", "fr"),
    ("Solo para uso editorial. Prohibida su venta.", "es"),
    ("재판매 및 DB 금지", "ko"),
    ("無断転載を禁じます", "ja"),
    ("未经授权禁止转载", "zh"),
])
def test_single_language_texts(text, lang):
    assert [s.lang for s in segment(text)] == [lang]


def test_kanji_only_credit_under_japanese_text_is_japanese():
    text = "首相官邸で記者会見する岸田首相\n内閣広報室提供"
    assert {s.lang for s in segment(text)} == {"ja"}


def test_rules_decide_plain_text_without_the_detector():
    calls = []

    def detector(text):
        calls.append(text)
        return {"en": 1.0}
    parse_caption("Thousands of people gathered in the square on Saturday to protest against the plan.",
                  detector=detector)
    assert calls == []
    assert decide_by_rules("the of and") == "en"


def test_undecided_latin_run_goes_to_the_injected_detector():
    calls = []

    def detector(text):
        calls.append(text)
        return {"de": 0.9, "en": 0.1}
    caption = parse_caption("Zugspitze Garmisch Partenkirchen Alpspitze", detector=detector)
    assert calls and caption.segments[0].lang == "de" and caption.segments[0].method == "detector"


def test_parsing_is_deterministic():
    texts = [r["text"] for r in RECORDS]
    first = [parse_caption(t).to_dict() for t in texts]
    again = [parse_caption(t).to_dict() for t in texts]
    assert first == again


def test_every_evidence_span_indexes_the_original_text():
    for rec in RECORDS:
        caption = parse_caption(rec["text"])
        for r in caption.restrictions:
            for ev in r.evidence:
                assert rec["text"][ev.start:ev.end] == ev.text, rec["id"]


def test_results_are_immutable():
    caption = parse_caption("NO SALES IN JAPAN. MAGS OUT.")
    r = caption.restriction("territory_excluded")
    with pytest.raises(AttributeError):
        r.type = "x"
    with pytest.raises(TypeError):
        r.value["territories"] = ["KR"]
    assert r.type == "territory_excluded"  # str enums compare to plain strings


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError):
        parse_caption(b"NO SALES")


def test_remembered_boilerplate_fields_parse_as_fresh_ones():
    """Credit, copyright and instruction fields are memoised by text; a custom detector turns
    the memo off, so parsing with the default detector passed in is the fresh reading."""
    from pathlib import Path

    from rights_check.caption import MEMO_FIELDS, parse_fields
    from rights_check.image import _texts, read_image
    from rights_check.detector import default_detector

    images = Path(__file__).resolve().parent.parent / "fixtures" / "images"
    memoised = 0
    for path in sorted(images.iterdir()):
        if path.suffix.lower() not in (".jpg", ".jpeg", ".tif", ".png", ".webp"):
            continue
        texts = _texts(read_image(path))
        memoised += sum(1 for f in texts if f.split("[")[0] in MEMO_FIELDS)
        fresh = parse_fields(texts, detector=default_detector())
        for _ in range(2):  # the second time comes from the memo
            assert parse_fields(texts) == fresh, path.name
    # a remembered instruction still takes its year from the photo's own caption
    assert memoised > 20
    for year in (2024, 2025):
        parsed = parse_fields({"caption": f"Seoul, March 3, {year}.",
                               "special_instructions": "EMBARGOED UNTIL MARCH 9"})
        assert [dict(r.value)["until"] for r in parsed.restrictions] == [f"{year}-03-09"]


def test_credit_patterns_without_anchors_have_gates_their_matches_pass():
    import glob
    import re as re_

    from rights_check.caption import _CREDIT_PATTERNS, credit_index

    assert credit_index().always, "no always-run credit pattern left: drop this test's gate check"
    for i in credit_index().always:
        assert len(_CREDIT_PATTERNS[i]) == 3, f"credit pattern {i} has no anchor and no gate"
    texts = [json.loads(line)["text"] for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "captions", "*.jsonl")))
             for line in open(path, encoding="utf-8") if line.strip()]
    matched = 0
    for kind, rx, *gate in _CREDIT_PATTERNS:
        if not gate:
            continue
        for text in texts:
            for m in rx.finditer(text):
                matched += 1
                g = gate[0]
                assert (g in m.group()) if isinstance(g, str) else re_.search(g, m.group()), m.group()
    assert matched > 20
