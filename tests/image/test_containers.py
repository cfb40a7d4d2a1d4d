"""Container reading: every public fixture, test-made files, bad input, memory and speed."""

from __future__ import annotations

import io
import json
import os
import random
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import Image

from rights_check.errors import InputError
from rights_check.image.containers import read_blocks
from rights_check.image.iptc import parse_iim

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "fixtures" / "images"
GOLD = json.loads((FIXTURES / "exiftool.json").read_text(encoding="utf-8"))
IMAGE_FILES = sorted(r["SourceFile"] for r in GOLD)

FORMATS = {"JPEG": "jpeg", "TIFF": "tiff", "PNG": "png", "Extended WEBP": "webp",
           "WEBP": "webp", "HEIC": "heif", "AVIF": "avif", "XMP": "xmp"}


# --- helpers to build files --------------------------------------------------------------------

def tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG", quality=50)
    return buf.getvalue()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with(*segments: bytes) -> bytes:
    """A real JPEG with the given segments inserted right after SOI."""
    base = tiny_jpeg()
    return base[:2] + b"".join(segments) + base[2:]


def iim(*datasets: tuple[int, int, bytes]) -> bytes:
    out = b""
    for rec, ds, val in datasets:
        out += bytes([0x1C, rec, ds]) + struct.pack(">H", len(val)) + val
    return out


def irb(rid: int, data: bytes) -> bytes:
    return b"8BIM" + struct.pack(">H", rid) + b"\0\0" + struct.pack(">I", len(data)) + data + (
        b"\0" if len(data) % 2 else b"")


def app13(*resources: bytes) -> bytes:
    return segment(0xED, b"Photoshop 3.0\0" + b"".join(resources))


def png_chunk(ctype: bytes, data: bytes, crc: int | None = None) -> bytes:
    c = zlib.crc32(ctype + data) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", c)


def tiny_png(*extra: bytes, after_idat: tuple[bytes, ...] = ()) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, "PNG")
    data = buf.getvalue()
    i = data.index(b"IDAT") - 4
    j = data.index(b"IEND") - 4
    return data[:i] + b"".join(extra) + data[i:j] + b"".join(after_idat) + data[j:]


# --- public fixtures ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", IMAGE_FILES)
def test_every_public_fixture_reads(name):
    record = next(r for r in GOLD if r["SourceFile"] == name)
    b = read_blocks(FIXTURES / name)
    assert b.format == FORMATS[record["File:FileType"]]


def test_fixtures_are_small():
    for p in FIXTURES.iterdir():
        assert p.stat().st_size <= 2 * 1024 * 1024, p


def test_jpeg_blocks_of_public_files():
    b = read_blocks(FIXTURES / "iptc-psAPP13-wIPTC1-psAPP13-wIPTC2.jpg")
    assert [w for w, _ in b.iptc] == ["app13", "app13#2"]
    b = read_blocks(FIXTURES / "Issue 122.jpg")
    assert [w for w, _ in b.iptc] == ["app13", "exif:33723"]
    b = read_blocks(FIXTURES / "AFCP.jpg")
    assert [w for w, _ in b.iptc] == ["afcp"]
    b = read_blocks(FIXTURES / "multiple_exif.jpg")
    assert len(b.exif) == 1 and b"firstsecond" in b.exif[0][1]
    b = read_blocks(FIXTURES / "iptc-psAPP13s-wIPTCs-psAPP13s-wIPTCs.jpg")
    assert len(b.iptc) == 1 and b"Jens Tr\x9fbiger" in b.iptc[0][1]
    assert not b.notices


def test_extended_xmp_is_reassembled_in_offset_order():
    from defusedxml import ElementTree as ET
    b = read_blocks(FIXTURES / "ExtendedXMP.jpg")
    assert len(b.xmp) == 1 and len(b.xmp_extended) == 1
    where, data = b.xmp_extended[0]
    assert where.endswith("04B9E48040A30A6308713BD1E4223B41")
    root = ET.fromstring(data)  # well-formed only when the chunks are in offset order
    assert "pdf" in data.decode("utf-8")
    assert root is not None


def test_jumbf_and_other_containers():
    b = read_blocks(FIXTURES / "C_with_CAWG_data.jpg")
    assert len(b.jumbf) == 1
    data = b.jumbf[0][1]
    assert data[4:8] == b"jumb" and struct.unpack(">I", data[:4])[0] == len(data)
    assert b"cawg.training-mining" in data
    b = read_blocks(FIXTURES / "Stonehenge.heic")
    assert b.format == "heif" and b.exif and b.xmp
    assert b.exif[0][1][:4] in (b"II*\0", b"MM\0*")
    b = read_blocks(FIXTURES / "avif_exif_xmp.avif")
    assert b.format == "avif" and b.exif and b.xmp
    b = read_blocks(FIXTURES / "sunrise.webp")
    assert b.format == "webp" and b.exif and b.xmp
    b = read_blocks(FIXTURES / "tif-with-iptc-icc-xmp.tif")
    assert b.format == "tiff" and b.iptc and b.xmp and b.exif
    b = read_blocks(FIXTURES / "sunrise.png")
    assert [w for w, _ in b.iptc] == ["png:zTXt:Raw profile type iptc"]
    b = read_blocks(FIXTURES / "png-with-iptc-in-itxt-chunk.png")
    assert [w for w, _ in b.iptc] == ["png:iTXt:Raw profile type iptc"]
    b = read_blocks(FIXTURES / "issue-590.png")
    assert b.xmp and b.xmp[0][1].lstrip().startswith(b"<")
    for name in ("BlueSquare.xmp", "PLUS.xmp", "alt-edge-cases.xmp"):
        b = read_blocks(FIXTURES / name)
        assert b.format == "xmp" and len(b.xmp) == 1


def test_png_bad_crc_is_a_notice_and_reading_goes_on():
    b = read_blocks(FIXTURES / "issue_828_poc.png")
    assert any(n.kind == "damaged" and "CRC" in n.message for n in b.notices)
    text = dict(b.text)
    assert text["Title"] == "IceAlpha"
    assert "may be used, edited and reproduced freely" in text["Copyright"]


# --- test-made files ---------------------------------------------------------------------------

def test_two_app13_blocks_are_both_kept(tmp_path):
    p = tmp_path / "two.jpg"
    p.write_bytes(jpeg_with(app13(irb(0x0404, iim((2, 110, b"one")))),
                            app13(irb(0x0404, iim((2, 110, b"two"))))))
    b = read_blocks(p)
    assert [w for w, _ in b.iptc] == ["app13", "app13#2"]
    r = parse_iim(b.iptc)
    assert r.fields["credit"] == [("iptc:2:110", "one"), ("iptc#2:2:110", "two")]


def test_app13_resource_split_over_two_segments_is_joined(tmp_path):
    stream = b"".join([irb(0x0425, b"\0" * 16),
                       irb(0x0404, iim((2, 40, b"NO SALES"), (2, 120, b"A long caption")))])
    cut = len(stream) - 9
    p = tmp_path / "split.jpg"
    p.write_bytes(jpeg_with(segment(0xED, b"Photoshop 3.0\0" + stream[:cut]),
                            segment(0xED, b"Photoshop 3.0\0" + stream[cut:])))
    b = read_blocks(p)
    assert len(b.iptc) == 1 and not b.notices
    r = parse_iim(b.iptc)
    assert r.fields["special_instructions"] == [("iptc:2:40", "NO SALES")]
    assert r.fields["caption"] == [("iptc:2:120", "A long caption")]


def test_jpeg_cut_inside_a_segment_is_an_input_error(tmp_path):
    data = jpeg_with(app13(irb(0x0404, iim((2, 40, b"NO SALES" * 20)))))
    start = data.index(b"Photoshop")
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[:start + 40])
    with pytest.raises(InputError) as err:
        read_blocks(p)
    msg = str(err.value)
    assert "\n" not in msg and str(p) in msg and "ends inside APP13" in msg


def test_jpeg_cut_before_image_data_is_an_input_error(tmp_path):
    data = jpeg_with(app13(irb(0x0404, iim((2, 40, b"NO SALES")))))
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[:data.index(b"\xff\xda")])
    with pytest.raises(InputError, match="before any image data"):
        read_blocks(p)


def test_bad_segment_length_is_a_notice(tmp_path):
    good = app13(irb(0x0404, iim((2, 40, b"NO SALES"))))
    bad = bytearray(segment(0xE1, b"junk" + b"\0" * 30))
    bad[2:4] = struct.pack(">H", 20)  # shorter than the real segment: lands on junk
    p = tmp_path / "badlen.jpg"
    p.write_bytes(jpeg_with(bytes(bad), good))
    b = read_blocks(p)
    assert any(n.kind == "damaged" for n in b.notices)
    assert parse_iim(b.iptc).fields["special_instructions"] == [("iptc:2:40", "NO SALES")]


def test_broken_photoshop_resource_is_a_notice(tmp_path):
    p = tmp_path / "brokenirb.jpg"
    p.write_bytes(jpeg_with(segment(0xED, b"Photoshop 3.0\0" + irb(0x0404, iim((2, 110, b"ok")))
                                    + b"XXXXjunkjunk")))
    b = read_blocks(p)
    assert len(b.iptc) == 1
    assert any(n.kind == "damaged" and "resource" in n.message for n in b.notices)


def test_zero_byte_text_and_wrong_extension(tmp_path):
    z = tmp_path / "empty.jpg"
    z.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_blocks(z)
    t = tmp_path / "notes.jpg"
    t.write_text("just some text\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an image"):
        read_blocks(t)
    w = tmp_path / "really-a-png.jpg"
    w.write_bytes(tiny_png(png_chunk(b"tEXt", b"Copyright\0(c) Someone")))
    b = read_blocks(w)
    assert b.format == "png" and b.text == [("Copyright", "(c) Someone")]
    with pytest.raises(InputError, match="no such file"):
        read_blocks(tmp_path / "missing.jpg")
    with pytest.raises(InputError):
        read_blocks(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    # CI runs as root, which reads a chmod 0 file anyway: the refusal is simulated instead
    from rights_check import files

    def refuse(path, mode="rb"):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(files, "open", refuse, raising=False)
    p = tmp_path / "locked.jpg"
    p.write_bytes(tiny_jpeg())
    with pytest.raises(InputError, match="cannot read: Permission denied"):
        read_blocks(p)


def test_png_bad_crc_made_here(tmp_path):
    p = tmp_path / "crc.png"
    p.write_bytes(tiny_png(png_chunk(b"tEXt", b"Copyright\0No reuse", crc=1234),
                           after_idat=(png_chunk(b"tEXt", b"Title\0After"),)))
    b = read_blocks(p)
    assert ("Copyright", "No reuse") in b.text and ("Title", "After") in b.text
    assert [n.kind for n in b.notices] == ["damaged"]


def test_png_raw_profiles_and_cut_chunk(tmp_path):
    payload = iim((1, 90, b"\x1b%G"), (2, 40, "NO ÜBER".encode()))
    hexed = payload.hex()
    text = f"\niptc\n{len(payload):8d}\n{hexed}\n".encode()
    p = tmp_path / "raw.png"
    p.write_bytes(tiny_png(png_chunk(b"zTXt", b"Raw profile type iptc\0\0" + zlib.compress(text))))
    b = read_blocks(p)
    assert parse_iim(b.iptc).fields["special_instructions"] == [("iptc:2:40", "NO ÜBER")]
    data = tiny_png(png_chunk(b"tEXt", b"Copyright\0" + b"x" * 100))
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[:data.index(b"tEXt") + 30])
    with pytest.raises(InputError, match="ends inside PNG tEXt"):
        read_blocks(cut)


def test_png_text_has_a_total_budget(tmp_path):
    """Made up: 150 zTXt chunks of 256 KiB each (a 1.2 MB file of them inflated to gigabytes
    before there was a total budget). Only the first MAX_PLAIN_TEXT are kept, one notice says
    the rest were skipped, and neither memory nor the reading grows with the chunk count."""
    import json as json_

    from rights_check.image import read_image
    from rights_check.image.png import MAX_PLAIN_TEXT

    block = zlib.compress(b"0" * (256 * 1024), 9)
    chunks = [png_chunk(b"zTXt", f"k{i}".encode() + b"\0\0" + block) for i in range(150)]
    p = tmp_path / "many.png"
    p.write_bytes(tiny_png(*chunks))
    tracemalloc.start()
    b = read_blocks(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [k for k, _ in b.text] == ["k0", "k1", "k2", "k3"]
    assert sum(len(t) for _, t in b.text) <= MAX_PLAIN_TEXT
    (n,) = b.notices
    assert n.kind == "truncated" and n.field is None
    assert n.message.startswith("PNG: 146 text chunks skipped (zTXt 'k4', zTXt 'k5', zTXt 'k6', …)")
    assert peak < 8 * 1024 * 1024
    record = read_image(p)
    size = len(json_.dumps(record.to_dict())) + sum(len(x.message) for x in record.notices)
    assert size < 2 * MAX_PLAIN_TEXT + 64 * 1024  # each value is printed as the field's and its source's


def test_png_text_budget_covers_xmp_and_flags_skipped_rights_text(tmp_path):
    """Made up: the total budget (MAX_TEXT_TOTAL) holds for XMP and raw profiles too, keywords
    that are not read (ImageMagick's exif:*) are not inflated, and a skipped Copyright chunk
    names its field so that ``check`` asks for a review."""
    from rights_check.image.png import MAX_TEXT_TOTAL

    head = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    xmp = head + b" " * (MAX_TEXT_TOTAL // 2 - 2 - len(head))  # two of them and "Kept" fill it
    packed = zlib.compress(xmp, 9)
    itxt = b"XML:com.adobe.xmp\0\1\0\0\0" + packed
    junk = png_chunk(b"zTXt", b"exif:junk\0\0" + zlib.compress(b"1" * MAX_TEXT_TOTAL, 9))
    p = tmp_path / "xmp.png"
    p.write_bytes(tiny_png(png_chunk(b"iTXt", itxt), junk, png_chunk(b"iTXt", itxt),
                           png_chunk(b"tEXt", b"Title\0Kept"), png_chunk(b"iTXt", itxt),
                           png_chunk(b"tEXt", b"Copyright\0NO SALES")))
    b = read_blocks(p)
    assert [len(x) for _, x in b.xmp] == [len(xmp), len(xmp)]
    assert b.text == [("Title", "Kept")]
    (n,) = b.notices
    assert n.kind == "truncated" and n.field == "copyright"
    assert "2 text chunks skipped (iTXt 'XML:com.adobe.xmp', tEXt 'Copyright')" in n.message


def test_webp_made_with_pillow(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "A caption"
    p = tmp_path / "x.webp"
    Image.new("RGB", (4, 4)).save(p, "WEBP", exif=exif.tobytes(), xmp=b"<x:xmpmeta/>")
    b = read_blocks(p)
    assert b.format == "webp" and b.exif and b.xmp == [("webp:XMP", b"<x:xmpmeta/>")]


def test_lone_xmp_with_bom_and_whitespace(tmp_path):
    p = tmp_path / "side.dat"
    p.write_bytes(b"\xef\xbb\xbf  \n<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    assert read_blocks(p).format == "xmp"
    q = tmp_path / "side16.xmp"
    q.write_bytes("<?xpacket begin='\ufeff'?><x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
                  .encode("utf-16"))
    assert read_blocks(q).format == "xmp"


# --- a 50 MB TIFF costs no more than a small one -----------------------------------------------

def big_tiff(path: Path, size: int) -> None:
    """A TIFF whose pixels fill ``size`` bytes (sparse on disk) and whose IFD sits at the end."""
    desc = b"Big caption\0"
    iptc = iim((2, 40, b"NO ARCHIVE"))
    with open(path, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", 0))
        f.truncate(size)
        ifd_at = size
        entries = [
            (256, 3, 1, struct.pack("<HH", 4096, 0)),
            (257, 3, 1, struct.pack("<HH", 4096, 0)),
            (258, 3, 1, struct.pack("<HH", 8, 0)),
            (259, 3, 1, struct.pack("<HH", 1, 0)),
            (262, 3, 1, struct.pack("<HH", 1, 0)),
            (270, 2, len(desc), None),
            (273, 4, 1, struct.pack("<I", 8)),
            (277, 3, 1, struct.pack("<HH", 1, 0)),
            (278, 4, 1, struct.pack("<I", 4096)),
            (279, 4, 1, struct.pack("<I", size - 8)),
            (33723, 7, len(iptc), None),
        ]
        data_at = ifd_at + 2 + 12 * len(entries) + 4
        body, extra = b"", b""
        for tag, typ, cnt, val in entries:
            if val is None:
                raw = desc if tag == 270 else iptc
                val = struct.pack("<I", data_at + len(extra))
                extra += raw + (b"\0" if len(raw) % 2 else b"")
            body += struct.pack("<HHI", tag, typ, cnt) + val
        f.seek(ifd_at)
        f.write(struct.pack("<H", len(entries)) + body + b"\0\0\0\0" + extra)
        f.seek(4)
        f.write(struct.pack("<I", ifd_at))


class _Counting(io.FileIO):
    """Counts the bytes the readers take from a file opened through rights_check.files."""
    total = 0
    opened = 0

    def __init__(self, path, mode="rb"):
        super().__init__(path, "r")
        _Counting.opened += 1

    def read(self, n=-1):
        data = super().read(n)
        _Counting.total += len(data)
        return data


def _count_reads(monkeypatch):
    from rights_check import files
    # open_input calls the builtin open by name: a module attribute shadows it
    monkeypatch.setattr(files, "open", _Counting, raising=False)
    _Counting.total = _Counting.opened = 0


def test_big_tiff_reads_only_a_few_kilobytes(tmp_path, monkeypatch):
    p = tmp_path / "big.tif"
    big_tiff(p, 50 * 1024 * 1024)
    _count_reads(monkeypatch)
    tracemalloc.start()
    b = read_blocks(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert _Counting.opened == 1 and 0 < _Counting.total < 16 * 1024
    assert peak < 512 * 1024
    assert b.format == "tiff"
    assert parse_iim(b.iptc).fields["special_instructions"] == [("iptc:2:40", "NO ARCHIVE")]
    from rights_check.image.exif import parse_exif
    assert ("caption", "exif:ImageDescription", "Big caption") in parse_exif(b.exif)


def test_big_jpeg_is_not_read_past_sos(tmp_path, monkeypatch):
    data = jpeg_with(app13(irb(0x0404, iim((2, 40, b"NO SALES")))))
    p = tmp_path / "big.jpg"
    with open(p, "wb") as f:
        f.write(data[:-2])
        f.truncate(30 * 1024 * 1024)
        f.seek(0, 2)
        f.write(b"\xff\xd9")
    _count_reads(monkeypatch)
    b = read_blocks(p)
    assert _Counting.opened == 1 and 0 < _Counting.total < 16 * 1024
    assert b.iptc


# --- hostile input: never a traceback, never a hang --------------------------------------------

def test_mutated_and_truncated_fixtures_never_crash(tmp_path):
    rng = random.Random(20240601)
    names = [n for n in IMAGE_FILES if (FIXTURES / n).stat().st_size < 160_000]
    p = tmp_path / "fuzz"
    start = time.monotonic()
    for name in names:
        data = (FIXTURES / name).read_bytes()
        for round_ in range(12):
            buf = bytearray(data)
            if round_ % 3 == 0:
                buf = buf[: rng.randrange(1, len(buf))]
            else:
                head = min(len(buf), 4096)
                for _ in range(rng.randrange(1, 12)):
                    i = rng.randrange(0, head)
                    buf[i] = rng.randrange(256)
            p.write_bytes(bytes(buf))
            try:
                b = read_blocks(p)
            except InputError as exc:
                assert "\n" not in str(exc)
                continue
            from rights_check.image.exif import parse_exif
            parse_iim(b.iptc)
            parse_exif(b.exif, [])
    assert time.monotonic() - start < 60


# --- more structures ---------------------------------------------------------------------------

def test_bigtiff(tmp_path):
    desc = b"BigTIFF caption\0"
    iptc = iim((2, 116, b"(c) Big"))
    entries = [(256, 3, 1, struct.pack("<H", 1).ljust(8, b"\0")),
               (270, 2, len(desc), None), (33723, 7, len(iptc), None)]
    ifd_at = 16
    data_at = ifd_at + 8 + 20 * len(entries) + 8
    body, extra = b"", b""
    for tag, typ, cnt, val in entries:
        if val is None:
            raw = desc if tag == 270 else iptc
            val = struct.pack("<Q", data_at + len(extra))
            extra += raw
        body += struct.pack("<HHQ", tag, typ, cnt) + val
    data = b"II+\0" + struct.pack("<HHQ", 8, 0, ifd_at) + struct.pack("<Q", len(entries)) + \
        body + b"\0" * 8 + extra
    p = tmp_path / "big.tif"
    p.write_bytes(data)
    b = read_blocks(p)
    from rights_check.image.exif import parse_exif
    assert parse_exif(b.exif) == [("caption", "exif:ImageDescription", "BigTIFF caption")]
    assert parse_iim(b.iptc).fields["copyright"] == [("iptc:2:116", "(c) Big")]


def test_fifo_is_refused_without_blocking(tmp_path):
    p = tmp_path / "pipe.jpg"
    os.mkfifo(p)
    with pytest.raises(InputError, match="not a regular file"):
        read_blocks(p)


def ext_xmp_chunk(guid: bytes, full: int, off: int, data: bytes) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xmp/extension/\0" + guid
                   + struct.pack(">II", full, off) + data)


def test_extended_xmp_made_here(tmp_path):
    guid = b"0123456789ABCDEF0123456789ABCDEF"
    packet = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF/></x:xmpmeta>"
    a, b_, c = packet[:20], packet[20:40], packet[40:]
    p = tmp_path / "ext.jpg"
    p.write_bytes(jpeg_with(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"),
                            ext_xmp_chunk(guid, len(packet), 40, c),
                            ext_xmp_chunk(guid, len(packet), 0, a),
                            ext_xmp_chunk(guid, len(packet), 20, b_)))
    b = read_blocks(p)
    assert b.xmp_extended == [(f"app1:xmp-ext:{guid.decode()}", packet)] and not b.notices
    q = tmp_path / "ext-missing.jpg"
    q.write_bytes(jpeg_with(ext_xmp_chunk(guid, len(packet), 0, a),
                            ext_xmp_chunk(guid, len(packet), 40, c)))
    b = read_blocks(q)
    assert b.xmp_extended[0][1] == a
    assert [n.kind for n in b.notices] == ["damaged"]


def test_app11_jumbf_packets_are_joined_in_sequence(tmp_path):
    payload = b"jumd" + b"x" * 50 + b"cbor" + b"y" * 70
    box = struct.pack(">I", 8 + len(payload)) + b"jumb"
    parts = [payload[:40], payload[40:90], payload[90:]]

    def app11(seq, part):
        return segment(0xEB, b"JP" + struct.pack(">HI", 7, seq) + box + part)

    p = tmp_path / "c2pa.jpg"
    p.write_bytes(jpeg_with(app11(2, parts[1]), app11(1, parts[0]), app11(3, parts[2])))
    b = read_blocks(p)
    assert b.jumbf == [("app11:jumbf#7", box + payload)]
