"""End to end through the public API: read_image, check on image paths, and the CLI, with
files made by the tests for what the public fixtures lack (made up for the unit test)."""

import json
import os
import pathlib

import rights_check as rc
from rights_check import cli
from tests.image.test_containers import app13, iim, irb, jpeg_with, segment

ROOT = pathlib.Path(__file__).resolve().parents[2]
USAGE = ROOT / "fixtures" / "usage"


def xmp_app1(packet: str) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + packet.encode("utf-8"))


def xmp_packet(body: str) -> str:
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
            'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
            f'<rdf:Description rdf:about="">{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
            '<?xpacket end="w"?>')


def test_special_instructions_only_in_iim_still_count(tmp_path):
    photo = tmp_path / "wire.jpg"
    photo.write_bytes(jpeg_with(
        app13(irb(0x0404, iim((1, 90, b"\x1b%G"), (2, 120, "Fans cheer in Seoul.".encode()),
                                (2, 40, b"EDITORIAL USE ONLY. JAPAN OUT")))),
        xmp_app1(xmp_packet("<photoshop:Instructions>EDITORIAL USE ONLY</photoshop:Instructions>"))))
    report = rc.check(photo, {"purpose": "news_reporting", "territories": ["JP"],
                              "publisher": {"country": "JP", "type": "news_publisher"}})
    verdicts = {str(f.type): str(f.verdict) for f in report.findings}
    assert verdicts["territory_excluded"] == "violation"
    evidence = report.caption.restriction("territory_excluded").evidence[0]
    assert "iptc:2:40" in evidence.field or evidence.field == "special_instructions"
    assert report.caption.texts[evidence.field][evidence.start:evidence.end] == "JAPAN OUT"
    assert any(n.kind == "field_conflict" for n in report.notices)


def test_korean_cp949_caption_without_charset_is_read_and_flagged(tmp_path):
    caption = "서울 광화문 광장에서 시민들이 행진하고 있다. [통일부 제공. 재판매 및 DB 금지]"
    photo = tmp_path / "yonhap.jpg"
    photo.write_bytes(jpeg_with(app13(irb(0x0404, iim((2, 120, caption.encode("cp949")))))))
    record = rc.read_image(photo)
    assert record.fields["caption"].value == caption
    assert any(n.kind == "encoding_guess" and n.field == "caption" for n in record.notices)
    report = rc.check(photo, {"purpose": "news_reporting", "resale": False, "archive": False})
    # the restriction is read, and the guessed encoding keeps the report at least in review
    assert {str(f.type) for f in report.findings} == {"no_resale", "no_archive"}
    assert report.verdict == "needs_review"


def test_korean_and_english_alternatives_are_both_read(tmp_path):
    alt = ('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Visitors at the palace.</rdf:li>'
           '<rdf:li xml:lang="ko-KR">고궁을 찾은 관람객들. 상업적 이용 금지</rdf:li></rdf:Alt></dc:description>')
    photo = tmp_path / "bilingual.jpg"
    photo.write_bytes(jpeg_with(xmp_app1(xmp_packet(alt))))
    caption = rc.caption_of(rc.read_image(photo))
    restriction = caption.restriction("no_commercial")
    assert restriction is not None
    field = restriction.evidence[0].field
    assert field == "caption[xmp:dc:description[ko-KR]]"
    assert caption.texts[field].endswith("상업적 이용 금지")


def test_sidecar_that_disagrees_is_merged_with_a_notice(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with(xmp_app1(xmp_packet(
        "<photoshop:Credit>Example Agency</photoshop:Credit>"))))
    (tmp_path / "photo.xmp").write_text(xmp_packet(
        "<photoshop:Credit>Other Agency</photoshop:Credit>"
        "<photoshop:Instructions>NO SALES</photoshop:Instructions>"), encoding="utf-8")
    record = rc.read_image(photo)
    sources = dict(record.fields["credit"].sources)
    assert any(s.startswith("sidecar:") for s in sources)
    assert any(n.kind == "field_conflict" and "sidecar" in n.message for n in record.notices)
    assert rc.caption_of(record).restriction("no_resale") is not None


def test_lone_xmp_file_is_checked(tmp_path, capsys):
    sidecar = tmp_path / "terms.xmp"
    sidecar.write_text(xmp_packet(
        '<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">This work is licensed under '
        'CC BY-NC-ND 4.0</rdf:li></rdf:Alt></xmpRights:UsageTerms>'), encoding="utf-8")
    code = cli.main(["check", str(sidecar), "--use", str(USAGE / "company-advertisement.yaml"),
                     "--format", "json"])
    report = json.loads(capsys.readouterr().out)["reports"][0]
    types = {f["type"]: f["verdict"] for f in report["findings"]}
    assert code == 1 and types["no_commercial"] == "violation" and types["license"] == "ok"
    assert types["no_derivatives"] == "violation"  # the advertisement adds a text overlay


def test_input_file_is_not_modified(tmp_path):
    photo = tmp_path / "keep.jpg"
    data = (ROOT / "fixtures" / "images" / "iptc-staff-photographer-example.jpg").read_bytes()
    photo.write_bytes(data)
    before = os.stat(photo)
    rc.check(photo, {"purpose": "news_reporting"})
    assert photo.read_bytes() == data and os.stat(photo).st_mtime_ns == before.st_mtime_ns


def test_every_public_fixture_reads_or_fails_in_one_line(capsys):
    images = sorted(str(p) for p in (ROOT / "fixtures" / "images").iterdir()
                    if p.suffix.lower() in (".jpg", ".tif", ".png", ".webp", ".heic", ".avif", ".xmp"))
    code = cli.main(["read", *images, "--format", "jsonl"])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == len(images)
    for line in lines:
        assert "error" in line or isinstance(line["fields"], dict)
    assert code in (0, 2) and "Traceback" not in err
