"""EXIF caption and rights fields: against ExifTool's reading, and test-made EXIF blocks."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.image.reference import assert_agreement, gold_images, listed
from rights_check.image.containers import read_blocks
from rights_check.image.exif import decode_user_comment, parse_exif

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "fixtures" / "images"

EXIF_TAGS = {
    "IFD0:ImageDescription": "exif:ImageDescription",
    "IFD0:Copyright": "exif:Copyright",
    "IFD0:XPComment": "exif:XPComment",
    "IFD0:XPTitle": "exif:XPTitle",
    "ExifIFD:UserComment": "exif:UserComment",
}
PNG_TAGS = ("PNG:Copyright", "PNG:Title", "PNG:Description", "PNG:Comment")



def comparisons():
    out = []
    for name, rec, blocks in gold_images():
        ours = {src: val for _, src, val in parse_exif(blocks.exif)}
        for tag, src in EXIF_TAGS.items():
            gold, mine = rec.get(tag), ours.get(src)
            if gold is not None or mine is not None:
                out.append((name, tag, gold, mine))
        if blocks.format == "png":
            text = dict(blocks.text)
            for tag in PNG_TAGS:
                gold, mine = rec.get(tag), text.get(tag.split(":")[1])
                if gold is not None or mine is not None:
                    out.append((name, tag, gold, mine))
    return out


def test_exif_and_png_text_agree_with_exiftool():
    assert_agreement(comparisons(), listed(("IFD0", "ExifIFD", "PNG")), min_rows=35)


def test_fixture_specifics():
    got = parse_exif(read_blocks(FIXTURES / "1.jpg").exif)
    assert ("byline", "exif:Artist", "test-中文-") in got
    assert ("headline", "exif:XPTitle", "test-中文-") in got
    got = parse_exif(read_blocks(FIXTURES / "undef-usercomment.jpg").exif)
    assert got == [("caption", "exif:UserComment", "äöüß")]
    # UserComment in IFD0 (the wrong IFD), typed ASCII, no charset: ExifTool gives nothing
    assert parse_exif(read_blocks(FIXTURES / "invalid-encoding-usercomment.jpg").exif) == []
    got = parse_exif(read_blocks(FIXTURES / "exiv2-bug460.jpg").exif)
    assert ("headline", "exif:XPTitle", "Titel und ähnliches") in got


# --- made here ---------------------------------------------------------------------------------

def tiff_block(bo: str, ifd0: list[tuple[int, int, bytes]],
               exif: list[tuple[int, int, bytes]] = ()) -> bytes:
    """TIFF bytes with (tag, type, raw value) entries in IFD0 and an Exif IFD."""
    e = "<" if bo == "II" else ">"
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1}
    ifd0 = list(ifd0)
    if exif:
        ifd0.append((0x8769, 4, b""))
    ifd0.sort()
    n0, n1 = len(ifd0), len(exif)
    exif_at = 8 + 2 + 12 * n0 + 4
    data_at = exif_at + ((2 + 12 * n1 + 4) if exif else 0)
    data = bytearray()

    def ifd(entries):
        out = bytearray(struct.pack(e + "H", len(entries)))
        for tag, typ, raw in entries:
            if tag == 0x8769:
                raw = struct.pack(e + "I", exif_at)
            cnt = len(raw) // sizes[typ]
            if len(raw) <= 4:
                out += struct.pack(e + "HHI", tag, typ, cnt) + raw.ljust(4, b"\0")
            else:
                out += struct.pack(e + "HHII", tag, typ, cnt, data_at + len(data))
                data.extend(raw + (b"\0" if len(raw) % 2 else b""))
        return out + b"\0\0\0\0"

    head = (b"II*\0" if bo == "II" else b"MM\0*") + struct.pack(e + "I", 8)
    first = ifd(ifd0)
    second = ifd(list(exif)) if exif else b""
    return head + bytes(first) + bytes(second) + bytes(data)


@pytest.mark.parametrize("bo", ["II", "MM"])
def test_user_comment_charsets(bo):
    enc = "utf-16-le" if bo == "II" else "utf-16-be"
    cases = [
        (b"ASCII\0\0\0Plain words\0\0", "Plain words"),
        (b"UNICODE\0" + "서울 사진 한국 사용 금지".encode(enc), "서울 사진 한국 사용 금지"),
        (b"UNICODE\0" + "\ufeffBOM text".encode("utf-16-be"), "BOM text"),
        (b"JIS\0\0\0\0\0" + "日本語".encode("iso2022_jp"), "日本語"),
        (b"\0" * 8 + "äöüß".encode(), "äöüß"),
        (b"\0" * 8 + "Bjørn".encode("cp1252"), "Bjørn"),
        (b"\0" * 16, ""),
    ]
    for raw, want in cases:
        block = tiff_block(bo, [], [(0x9286, 7, raw)])
        assert parse_exif([("t", block)]) == [("caption", "exif:UserComment", want)], raw
    assert decode_user_comment(b"short", bo) is None


def test_ascii_fields_holding_utf8_and_legacy_bytes():
    block = tiff_block("II", [
        (0x010E, 2, "서울에서 촬영. 한국 내 사용 금지\0".encode()),
        (0x013B, 2, "Bjørn".encode("cp1252") + b"\0"),
        (0x8298, 2, b"(c) Photographer\0(c) Editor\0"),
        (0x9C9B, 1, "Titel und ähnliches\0".encode("utf-16-le")),
        (0x9C9C, 1, "Kommentar".encode("utf-16-le")),
        (0x9C9F, 1, "Betreff\0".encode("utf-16-le")),
    ])
    got = parse_exif([("t", block)])
    assert ("caption", "exif:ImageDescription", "서울에서 촬영. 한국 내 사용 금지") in got
    assert ("byline", "exif:Artist", "Bjørn") in got
    # ExifTool shows photographer and editor copyright on two lines
    assert ("copyright", "exif:Copyright", "(c) Photographer\n(c) Editor") in got
    assert ("headline", "exif:XPTitle", "Titel und ähnliches") in got
    assert ("caption", "exif:XPComment", "Kommentar") in got
    assert ("headline", "exif:XPSubject", "Betreff") in got
    editor_only = tiff_block("MM", [(0x8298, 2, b" \0(c) Editor\0")])
    assert parse_exif([("t", editor_only)]) == [("copyright", "exif:Copyright", "(c) Editor")]


def test_exif_made_with_pillow_in_a_jpeg(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "A caption"
    exif[0x8298] = "Someone"
    p = tmp_path / "e.jpg"
    Image.new("RGB", (8, 8)).save(p, "JPEG", exif=exif.tobytes())
    got = parse_exif(read_blocks(p).exif)
    assert ("caption", "exif:ImageDescription", "A caption") in got
    assert ("copyright", "exif:Copyright", "Someone") in got


def test_two_blocks_and_broken_blocks():
    a = tiff_block("II", [(0x010E, 2, b"first\0")])
    b = tiff_block("MM", [(0x010E, 2, b"second\0")])
    assert parse_exif([("a", a), ("b", b)]) == [("caption", "exif:ImageDescription", "first"),
                                                 ("caption", "exif#2:ImageDescription", "second")]
    notices = []
    assert parse_exif([("x", b"II*\0\xff\xff\xff\x7f"), ("y", b"nonsense")], notices) == []
    assert [n.kind for n in notices] == ["damaged", "damaged"]
    # a value pointing outside the block
    bad = bytearray(tiff_block("II", [(0x010E, 2, b"a long caption\0")]))
    struct.pack_into("<I", bad, 8 + 2 + 8, 10_000)
    notices = []
    assert parse_exif([("z", bytes(bad))], notices) == []
    assert [n.kind for n in notices] == ["damaged"]
    # absurd entry count
    huge = b"II*\0\x08\0\0\0\xff\xff" + b"\0" * 40
    notices = []
    assert parse_exif([("h", huge)], notices) == []
    assert notices


# --- 8-bit text that is not UTF-8 ----------------------------------------------------------------

def test_photoshop_4_macroman_description_is_guessed_with_a_notice():
    # Pillow's hopper_lzw.tif: "File written by Adobe Photoshop\xa8 4.0", Photoshop 4 on a Mac;
    # 0xA8 is ® in MacRoman (ExifTool -charset exif=MacRoman), a lone ¨ in cp1252
    notices: list = []
    got = parse_exif(read_blocks(FIXTURES / "hopper_lzw.tif").exif, notices)
    assert got == [("caption", "exif:ImageDescription", "File written by Adobe Photoshop® 4.0")]
    (n,) = notices
    assert (n.kind, n.field) == ("encoding_guess", "caption")
    assert n.message == ("EXIF ImageDescription (exif:ImageDescription): the bytes are not UTF-8 "
                         "and EXIF names no character set; decoded as MacRoman")


def test_legacy_ascii_fields_go_through_the_iim_guesser():
    # made up: cp1252, CP949 and Shift_JIS bytes in ASCII fields, and UTF-8 that needs no guess
    korean = "서울에서 촬영. 한국 내 사용 금지"
    block = tiff_block("II", [
        (0x010E, 2, korean.encode("cp949") + b"\0"),
        (0x013B, 2, "Bjørn Erik Pedersen".encode("cp1252") + b"\0"),
        (0x8298, 2, "© 2004".encode("cp1252") + b"\0"),
    ], [(0x9286, 7, b"\0" * 8 + "写真は報道目的に限ります".encode("shift_jis"))])
    notices: list = []
    got = parse_exif([("t", block)], notices)
    assert got == [("caption", "exif:ImageDescription", korean),
                   ("byline", "exif:Artist", "Bjørn Erik Pedersen"),
                   ("copyright", "exif:Copyright", "© 2004"),
                   ("caption", "exif:UserComment", "写真は報道目的に限ります")]
    assert [(n.kind, n.field, n.message.rsplit(" ", 1)[1]) for n in notices] == [
        ("encoding_guess", "caption", "CP949"), ("encoding_guess", "byline", "cp1252"),
        ("encoding_guess", "copyright", "cp1252"), ("encoding_guess", "caption", "Shift_JIS")]
    utf8 = tiff_block("MM", [(0x8298, 2, "© 2004 Bjørn".encode() + b"\0")])
    notices = []
    assert parse_exif([("t", utf8)], notices) == [("copyright", "exif:Copyright", "© 2004 Bjørn")]
    assert notices == []
