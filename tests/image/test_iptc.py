"""IPTC IIM: against ExifTool's reading of the public fixtures, and test-made IIM streams."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.image.reference import assert_agreement, gold_images, listed
from rights_check.image.containers import read_blocks
from rights_check.image.iptc import codec_for_1_90, guess_legacy, parse_iim, walk_datasets

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "fixtures" / "images"

IPTC_TAGS = {
    "Caption-Abstract": "caption", "SpecialInstructions": "special_instructions",
    "CopyrightNotice": "copyright", "Credit": "credit", "Source": "source",
    "By-line": "byline", "Headline": "headline",
}



def iim(*datasets: tuple[int, int, bytes]) -> bytes:
    out = b""
    for rec, ds, val in datasets:
        out += bytes([0x1C, rec, ds]) + struct.pack(">H", len(val)) + val
    return out


def one(fields, name):
    values = fields[name]
    assert len(values) == 1, values
    return values[0][1]


# --- the reference -----------------------------------------------------------------------------

def iptc_comparisons():
    """[(file, tag, exiftool value or None, our value or None)] for every IPTC value either
    side has."""
    out = []
    for name, rec, blocks in gold_images():
        res = parse_iim(blocks.iptc)
        groups = sorted({k.split(":")[0] for k in rec if k.startswith("IPTC")})
        n = max(len(groups), len(blocks.iptc))
        groups += [f"IPTC{i + 1}" for i in range(len(groups), n)]
        for i, group in enumerate(groups, start=1):
            prefix = "iptc:" if i == 1 else f"iptc#{i}:"
            for tag, fld in IPTC_TAGS.items():
                gold = rec.get(f"{group}:{tag}")
                ours = [v for s, v in res.fields.get(fld, []) if s.startswith(prefix)]
                ours_v = ours[0] if ours else None
                if gold is None and ours_v is None:
                    continue
                out.append((name, f"{group}:{tag}", gold, ours_v))
    return out



def test_iptc_agrees_with_exiftool():
    assert_agreement(iptc_comparisons(), listed(("IPTC",)), min_rows=90)


def test_coded_character_sets_of_the_fixtures():
    assert codec_for_1_90(b"\x1b%G") == "utf-8"
    assert codec_for_1_90(b"\x1b-A") == "cp1252"
    assert codec_for_1_90(b"\x1b(B\x1b&@\x1b$)B\x1b!@") == "jis"
    res = parse_iim(read_blocks(FIXTURES / "Issue 614.jpg").iptc)
    assert one(res.fields, "headline") == "l'Affiche présentait étaient"
    assert not [n for n in res.notices if n.kind == "encoding_guess"]


def test_legacy_fixtures_are_decoded_and_flagged():
    res = parse_iim(read_blocks(FIXTURES / "iptc-psAPP13s-wIPTCs-psAPP13s-wIPTCs.jpg").iptc)
    assert one(res.fields, "byline") == "Jens Trübiger"
    assert [(n.kind, n.field) for n in res.notices] == [("encoding_guess", "byline")]
    assert "MacRoman" in res.notices[0].message
    res = parse_iim(read_blocks(FIXTURES / "exiv2-bug937.jpg").iptc)
    assert one(res.fields, "copyright").startswith("© Corbis")
    res = parse_iim(read_blocks(FIXTURES / "smiley1.jpg").iptc)
    assert one(res.fields, "copyright") == "© 2004 Nobody"
    assert any(n.kind == "encoding_guess" and n.field == "copyright" and "cp1252" in n.message
               for n in res.notices)


def test_iim_truncation_in_a_fixture():
    res = parse_iim(read_blocks(FIXTURES / "Issue 600 (1).jpg").iptc)
    assert [(n.kind, n.field) for n in res.notices] == [("truncated", "credit")]


# --- character sets made here ------------------------------------------------------------------

KOREAN = "서울에서 열린 정상회담에서 두 정상이 악수하고 있다. 국내 사용 금지"
JAPANESE = "東京で開かれた首脳会談で握手する両首脳。国内での使用禁止"


def test_korean_cp949_without_1_90(tmp_path):
    res = parse_iim([("app13", iim((2, 0, b"\0\x04"), (2, 120, KOREAN.encode("cp949")),
                                   (2, 40, "한국 내 사용 금지".encode("cp949"))))])
    assert one(res.fields, "caption") == KOREAN
    assert one(res.fields, "special_instructions") == "한국 내 사용 금지"
    guesses = [n for n in res.notices if n.kind == "encoding_guess"]
    assert {n.field for n in guesses} == {"caption", "special_instructions"}
    assert all("CP949" in n.message for n in guesses)
    assert res.charsets == ["cp949 (guessed)"]


def test_korean_cp949_in_a_jpeg(tmp_path):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    data = buf.getvalue()
    stream = iim((2, 120, KOREAN.encode("cp949")))
    res_ = b"8BIM\x04\x04\0\0" + struct.pack(">I", len(stream)) + stream
    payload = b"Photoshop 3.0\0" + res_
    seg = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    p = tmp_path / "korean.jpg"
    p.write_bytes(data[:2] + seg + data[2:])
    res = parse_iim(read_blocks(p).iptc)
    assert one(res.fields, "caption") == KOREAN


def test_japanese_shift_jis_without_1_90():
    res = parse_iim([("app13", iim((2, 120, JAPANESE.encode("shift_jis"))))])
    assert one(res.fields, "caption") == JAPANESE
    (n,) = res.notices
    assert n.kind == "encoding_guess" and n.field == "caption" and "Shift_JIS" in n.message


def test_japanese_euc_jp_and_chinese_guesses():
    text = "これは日本語の説明文です"
    assert guess_legacy(text.encode("euc_jp")) == (text, "euc_jp")
    zh = "北京举行的会议上两国领导人握手"
    assert guess_legacy(zh.encode("gb2312")) == (zh, "gb18030")
    tw = "台北舉行的會議上兩國領導人握手"
    assert guess_legacy(tw.encode("big5")) == (tw, "big5")


def test_utf8_with_1_90():
    res = parse_iim([("app13", iim((1, 90, b"\x1b%G"), (2, 120, KOREAN.encode()),
                                   (2, 105, JAPANESE.encode())))])
    assert one(res.fields, "caption") == KOREAN
    assert one(res.fields, "headline") == JAPANESE
    assert res.notices == [] and res.charsets == ["utf-8"]


def test_utf8_without_1_90_is_utf8_without_a_notice():
    res = parse_iim([("app13", iim((2, 116, "© 2004 Bjørn".encode())))])
    assert one(res.fields, "copyright") == "© 2004 Bjørn"
    assert res.notices == []


@pytest.mark.parametrize("text", ["© 2004", "© 2004 Nobody", "Bjørn", "Bjørn Erik Pedersen",
                                  "Porträtt på Eva", "Sais-tu ta leçon?", "25°C",
                                  "Ça va, Ålesund", "«Zoë» — Crème brûlée", "Jürgen Müller"])
def test_cp1252_without_1_90_is_not_mistaken_for_cjk(text):
    res = parse_iim([("app13", iim((2, 116, text.encode("cp1252"))))])
    assert one(res.fields, "copyright") == text
    (n,) = res.notices
    assert n.kind == "encoding_guess" and n.field == "copyright" and "cp1252" in n.message


def test_macroman_only_with_evidence():
    assert guess_legacy("Jens Trübiger".encode("mac_roman"))[1] == "mac_roman"
    assert guess_legacy("Café".encode("mac_roman"))[1] == "mac_roman"
    # 0xA9 is © in both: no evidence for MacRoman
    assert guess_legacy(b"\xa9 2004")[1] == "cp1252"
    assert guess_legacy("Bjørn".encode("cp1252"))[1] == "cp1252"


def test_registered_sign_after_a_word_is_evidence_for_macroman():
    # 0xA8 ending a word: MacRoman ® (Photoshop 4 on a Mac: "Photoshop\xa8 4.0"), where cp1252
    # would give a lone spacing diaeresis ¨
    assert guess_legacy(b"File written by Adobe Photoshop\xa8 4.0") == (
        "File written by Adobe Photoshop® 4.0", "mac_roman")
    assert guess_legacy(b"Windows\xa8")[1] == "mac_roman"
    # not in a trade mark's place, or outweighed by a cp1252 letter: no evidence
    assert guess_legacy(b"a\xa8b")[1] == "cp1252"
    assert guess_legacy(b"\xa8 2004")[1] == "cp1252"
    assert guess_legacy("Café".encode("cp1252") + b" Photoshop\xa8")[1] == "cp1252"
    res = parse_iim([("app13", iim((2, 116, b"Adobe Photoshop\xa8 4.0")))])
    assert one(res.fields, "copyright") == "Adobe Photoshop® 4.0"
    (n,) = res.notices
    assert n.kind == "encoding_guess" and n.message.endswith("decoded as MacRoman")


def test_iso_2022_designations():
    res = parse_iim([("app13", iim((1, 90, b"\x1b-A"), (2, 105, "Été à Noël".encode("latin-1"))))])
    assert one(res.fields, "headline") == "Été à Noël"
    res = parse_iim([("app13", iim((1, 90, b"\x1b-B"), (2, 80, "Łukasz Żółw".encode("iso8859_2"))))])
    assert one(res.fields, "byline") == "Łukasz Żółw"
    res = parse_iim([("app13", iim((1, 90, b"\x1b$B"), (2, 120, "日本".encode("iso2022_jp"))))])
    assert one(res.fields, "caption") == "日本"
    assert res.notices == []


def test_unknown_1_90_falls_back_to_a_guess():
    res = parse_iim([("app13", iim((1, 90, b"\x1b%5"), (2, 110, "Reuters Ü".encode("cp1252"))))])
    assert one(res.fields, "credit") == "Reuters Ü"
    assert [n.kind for n in res.notices] == ["encoding_guess"]
    assert "not one we can map" in res.notices[0].message


def test_declared_utf8_that_is_not():
    res = parse_iim([("app13", iim((1, 90, b"\x1b%G"), (2, 110, "Bjørn".encode("cp1252"))))])
    assert one(res.fields, "credit") == "Bjørn"
    assert [n.kind for n in res.notices] == ["encoding_guess"]


# --- truncation --------------------------------------------------------------------------------

def test_special_instructions_at_exactly_256_bytes():
    value = ("NO SALES. NO ARCHIVE. " * 20)[:256].encode()
    res = parse_iim([("app13", iim((2, 40, value)))])
    assert one(res.fields, "special_instructions") == value.decode()
    (n,) = res.notices
    assert n.kind == "truncated" and n.field == "special_instructions"
    assert "256" in n.message
    res = parse_iim([("app13", iim((2, 40, value[:255])))])
    assert res.notices == []


@pytest.mark.parametrize("key,limit,field", [((2, 120), 2000, "caption"),
                                             ((2, 105), 256, "headline"),
                                             ((2, 116), 128, "copyright"),
                                             ((2, 110), 32, "credit"),
                                             ((2, 115), 32, "source"),
                                             ((2, 80), 32, "byline")])
def test_limits(key, limit, field):
    res = parse_iim([("app13", iim((key[0], key[1], b"x" * limit)))])
    assert [(n.kind, n.field) for n in res.notices] == [("truncated", field)]


def test_utf8_cut_inside_a_character_at_the_limit():
    raw = ("Agence France-Presse, Montréal".ljust(30, ".") + "é").encode()[:32]
    assert len(raw) == 32
    assert raw.decode("utf-8", errors="ignore") != raw.decode("utf-8", errors="replace")
    res = parse_iim([("app13", iim((1, 90, b"\x1b%G"), (2, 110, raw)))])
    assert one(res.fields, "credit") == raw.decode("utf-8", errors="ignore")
    assert [(n.kind, n.field) for n in res.notices] == [("truncated", "credit")]
    # without 1:90 too
    res = parse_iim([("app13", iim((2, 110, raw)))])
    assert one(res.fields, "credit") == raw.decode("utf-8", errors="ignore")
    assert [(n.kind, n.field) for n in res.notices] == [("truncated", "credit")]


def test_nul_padded_fixed_width_value_is_not_truncated():
    res = parse_iim([("exif:33723", iim((2, 110, b"Getty Images" + b"\0" * 20)))])
    assert one(res.fields, "credit") == "Getty Images"
    assert res.notices == []


# --- structure ---------------------------------------------------------------------------------

def test_extended_length_dataset():
    caption = ("word " * 8000).encode()
    stream = bytes([0x1C, 2, 120, 0x80, 0x04]) + struct.pack(">I", len(caption)) + caption
    stream += iim((2, 110, b"after"))
    res = parse_iim([("app13", stream)])
    assert one(res.fields, "caption") == caption.decode()
    assert one(res.fields, "credit") == "after"


def test_damaged_streams_give_notices_not_errors():
    res = parse_iim([("app13", iim((2, 110, b"ok")) + b"\x1c\x02\x78\x00\x50short")])
    assert one(res.fields, "credit") == "ok"
    assert one(res.fields, "caption") == "short"
    assert [n.kind for n in res.notices] == ["damaged"]
    res = parse_iim([("app13", iim((2, 110, b"ok")) + b"garbage")])
    assert [n.kind for n in res.notices] == ["damaged"]
    res = parse_iim([("app13", iim((2, 110, b"ok")) + b"\0\0\0\0")])
    assert res.notices == []
    assert walk_datasets(b"\x1c\x02\x78\x80\x09")[1] is not None


def test_bylines_dates_and_block_names():
    a = iim((2, 80, b"Ann"), (2, 80, b"Bob"), (2, 30, b"20240501"), (2, 35, b"120000+0200"),
            (2, 37, b"20251231"))
    b = iim((2, 80, b"Cy"), (2, 38, b"235959-0500"), (2, 37, b"20260101"))
    res = parse_iim([("app13", a), ("exif:33723", b)])
    assert res.fields["byline"] == [("iptc:2:80", "Ann; Bob"), ("iptc#2:2:80", "Cy")]
    assert res.fields["release_date"] == [("iptc:2:30", "2024-05-01T12:00:00+02:00")]
    assert res.fields["expiration_date"] == [("iptc:2:37", "2025-12-31"),
                                             ("iptc#2:2:37", "2026-01-01T23:59:59-05:00")]
    res = parse_iim([("app13", iim((2, 30, b"2024-5-1")))])
    assert res.fields["release_date"] == [("iptc:2:30", "2024-5-1")]
    assert [(n.kind, n.field) for n in res.notices] == [("damaged", "release_date")]


@pytest.mark.parametrize("text,codec,want", [
    ("中国国家主席在北京会见来访的外国领导人", "gb2312", "gb18030"),
    ("新华社记者摄", "gb2312", "gb18030"),
    ("김연아 선수가 경기를 마친 뒤 인사하고 있다", "cp949", "cp949"),
    ("사진", "cp949", "cp949"),
])
def test_chinese_and_korean_are_told_apart(text, codec, want):
    assert guess_legacy(text.encode(codec)) == (text, want)
