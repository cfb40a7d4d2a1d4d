"""XMP reading: against ExifTool's reading of the public fixtures, and test-made packets."""

from __future__ import annotations

import json
import re
import struct
import tomllib
import unicodedata
from pathlib import Path

import pytest

from rights_check.image.c2pa import app11_jumbf, parse_c2pa
from rights_check.image.machine import plus_label
from rights_check.image.xmp import parse_xmp, snake

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
_LOCAL = ROOT / "fixtures" / "images"
_SHARED = ROOT.parent / "shared" / "fixtures-public" / "images"
FIXTURES = _LOCAL if (_LOCAL / "exiftool.json").is_file() else _SHARED
DISAGREEMENTS = HERE / "exiftool_xmp_disagreements.toml"


# --- getting the blocks of a fixture ---------------------------------------------------------

def _jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of the JPEG segments before SOS: a tiny local marker walk."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD9, 0xDA):
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((marker, data[i + 4:i + 2 + length]))
        i += 2 + length
    return out


def _local_blocks(path: Path) -> tuple[list, list, list]:
    data = path.read_bytes()
    if path.suffix.lower() == ".xmp":
        return [("file", data)], [], []
    if data[:2] == b"\xff\xd8":
        xmp, ext, app11 = [], {}, []
        for marker, p in _jpeg_segments(data):
            if marker == 0xE1 and p.startswith(b"http://ns.adobe.com/xap/1.0/\0"):
                xmp.append(("app1", p[29:]))
            elif marker == 0xE1 and p.startswith(b"http://ns.adobe.com/xmp/extension/\0"):
                q = p[35:]
                ext.setdefault(q[:32], []).append((struct.unpack(">I", q[36:40])[0], q[40:]))
            elif marker == 0xEB:
                app11.append(p)
        exts = [("ext", b"".join(c for _, c in sorted(v))) for v in ext.values()]
        return xmp, exts, [("app11", j) for j in app11_jumbf(app11)]
    packets = []
    for m in re.finditer(rb"<x:xmpmeta.*?</x:xmpmeta>", data, re.S):
        packets.append(("raw", m.group(0)))
    return packets, [], []


def blocks_of(path: Path) -> tuple[list, list, list]:
    """(xmp, xmp_extended, jumbf) of a fixture: the containers reader when there is one."""
    try:
        from rights_check.image.containers import read_blocks
    except ImportError:
        return _local_blocks(path)
    b = read_blocks(path)
    return b.xmp, b.xmp_extended, b.jumbf


def read_fixture(name: str):
    notices: list = []
    xmp, ext, jumbf = blocks_of(FIXTURES / name)
    sources = parse_xmp(xmp, notices=notices) + parse_xmp(ext, "xmp-ext", notices=notices)
    sources += parse_c2pa(jumbf, notices=notices)
    return sources, notices


# --- comparing with ExifTool -----------------------------------------------------------------

TAGS = {
    "XMP-dc:Description": "caption", "XMP-dc:Rights": "copyright", "XMP-dc:Title": "title",
    "XMP-xmpRights:Marked": "rights_marked", "XMP-xmpRights:UsageTerms": "usage_terms",
    "XMP-xmpRights:WebStatement": "web_statement",
    "XMP-photoshop:Instructions": "special_instructions", "XMP-photoshop:Credit": "credit",
    "XMP-photoshop:Source": "source", "XMP-photoshop:Headline": "headline",
    "XMP-iptcCore:AltTextAccessibility": "alt_text",
    "XMP-iptcCore:ExtDescrAccessibility": "extended_description",
    "XMP-iptcExt:DigitalSourceType": "digital_source_type",
    "XMP-iptcExt:ArtworkCopyrightNotice": "artwork_copyright_notice",
    "XMP-iptcExt:ArtworkCopyrightOwnerID": "artwork_copyright_owner_id",
    "XMP-iptcExt:ArtworkCopyrightOwnerName": "artwork_copyright_owner_name",
    "XMP-iptcExt:ArtworkLicensorID": "artwork_licensor_id",
    "XMP-iptcExt:ArtworkLicensorName": "artwork_licensor_name",
    "XMP-iptcExt:EmbeddedEncodedRightsExpr": "rights_expression",
    "XMP-iptcExt:EmbeddedEncodedRightsExprType": "rights_expression_type",
    "XMP-iptcExt:EmbeddedEncodedRightsExprLangID": "rights_expression_lang",
    "XMP-iptcExt:LinkedEncodedRightsExpr": "linked_rights_expression",
    "XMP-iptcExt:LinkedEncodedRightsExprType": "linked_rights_expression_type",
    "XMP-iptcExt:LinkedEncodedRightsExprLangID": "linked_rights_expression_lang",
    "XMP-plus:PLUSVersion": "plus_version", "XMP-plus:LicenseEndDate": "expiration_date",
    "XMP-plus:ImageAlterationConstraints": "alteration_constraints",
    "CBOR:EntriesCawgAi_InferenceUse": ("data_mining", "c2pa:cawg.ai_inference"),
    "CBOR:EntriesCawgAi_Generative_TrainingUse": ("data_mining", "c2pa:cawg.ai_generative_training"),
    "CBOR:ActionsDigitalSourceType": ("digital_source_type", "c2pa:c2pa.actions"),
}
LANG_ALT = {"caption", "copyright", "title", "usage_terms", "alt_text", "extended_description"}
NOT_COMPARED = {"JUMBF:JUMDLabel"}  # a box label, not a rights value
_LANG_SUFFIX = re.compile(r"^(XMP-[\w]+:[A-Za-z]+)-([a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*)$")


def tag_target(tag: str) -> tuple[str, str | None, str | None] | None:
    """(field, lang, exact source) that an ExifTool tag is compared with."""
    if tag in NOT_COMPARED:
        return None
    base, lang = tag, None
    m = _LANG_SUFFIX.match(tag)
    if m and m.group(1) in TAGS:
        base, lang = m.group(1), m.group(2)
    target = TAGS.get(base)
    if isinstance(target, tuple):
        return target[0], None, target[1]
    if target is None and base.startswith("XMP-plus:"):
        target = snake(base.split(":", 1)[1])
    if target is None:
        return None
    if target in LANG_ALT and lang is None:
        lang = "x-default"
    return target, lang, None


def ours_for(sources, field: str, lang: str | None, exact: str | None) -> str | None:
    for fs in sources:
        if fs.field != field:
            continue
        if exact is not None:
            if fs.source == exact:
                return fs.value
            continue
        if not fs.source.startswith(("xmp:", "xmp-ext:")):
            continue
        m = re.search(r"\[([^\]]+)\]$", fs.source)  # '#2' repeats are not the first value
        src_lang = m.group(1) if m else None
        if lang is None and src_lang in (None, "x-default") and "#" not in fs.source:
            return fs.value
        if lang is not None and src_lang == lang:
            return fs.value
    return None


def norm(value) -> str:
    if isinstance(value, bool):
        value = "True" if value else "False"
    if isinstance(value, list):
        value = "; ".join(norm(v) for v in value)
    value = unicodedata.normalize("NFC", str(value))
    value = re.sub(r"^(\d{4}):(\d{2}):(\d{2})", r"\1-\2-\3", value)
    return re.sub(r"\s+", " ", value).strip()


def comparable_ours(field: str, value: str) -> str:
    if field == "media_summary_code":
        return " ".join(re.findall(r"V\d{4}|U\d{3}|\d[A-Z]{3}", value))
    if field == "rights_marked":
        return value.strip().capitalize()
    if field != "data_mining" and "http://ns.useplus.org/ldf/vocab/" in value:
        return plus_label(value)
    return value


def comparable_theirs(field: str, value) -> str:
    text = norm(value)
    if field == "media_summary_code":
        return " ".join(re.findall(r"V\d{4}|U\d{3}|\d[A-Z]{3}", re.sub(r"\([^)]*\)", " ", text)))
    return text


def comparisons():
    gold = json.loads((FIXTURES / "exiftool.json").read_text(encoding="utf-8"))
    rows = []
    for rec in gold:
        tags = [t for t in rec if t.startswith(("XMP-", "CBOR:", "JUMBF:"))]
        if not tags:
            continue
        sources, _ = read_fixture(rec["SourceFile"])
        for tag in tags:
            target = tag_target(tag)
            if target is None:
                continue
            field, lang, exact = target
            ours = ours_for(sources, field, lang, exact)
            theirs = comparable_theirs(field, rec[tag])
            mine = None if ours is None else norm(comparable_ours(field, ours))
            rows.append((rec["SourceFile"], tag, theirs, mine))
    return rows


def listed() -> dict[tuple[str, str], dict]:
    data = tomllib.loads(DISAGREEMENTS.read_text(encoding="utf-8"))
    return {(d["file"], d["tag"]): d for d in data.get("disagreement", [])}


def test_agrees_with_exiftool():
    rows = comparisons()
    known = listed()
    for entry in known.values():
        assert entry.get("reason", "").strip(), f"no reason for {entry}"
    differ = [(f, t, theirs, mine) for f, t, theirs, mine in rows if theirs != mine]
    unlisted = [d for d in differ if (d[0], d[1]) not in known]
    stale = sorted(set(known) - {(d[0], d[1]) for d in differ})
    agree = len(rows) - len(differ)
    print(f"\nXMP/C2PA agreement with exiftool.json: {agree}/{len(rows)} = {agree / len(rows):.1%}")
    assert not unlisted, "disagreements not listed in exiftool_xmp_disagreements.toml:\n" + "\n".join(
        f"  {f} {t}: exiftool={theirs!r} ours={mine!r}" for f, t, theirs, mine in unlisted)
    assert not stale, f"listed disagreements that now agree (remove them): {stale}"
    assert agree / len(rows) >= 0.98


def test_every_fixture_with_xmp_reads_without_notices():
    gold = json.loads((FIXTURES / "exiftool.json").read_text(encoding="utf-8"))
    for rec in gold:
        if any(t.startswith("XMP-") for t in rec):
            sources, notices = read_fixture(rec["SourceFile"])
            assert sources, rec["SourceFile"]
            assert not [n for n in notices if n.kind == "damaged"], (rec["SourceFile"], notices)


# --- test-made packets -----------------------------------------------------------------------

def packet(body: str, *, about: str = "") -> str:
    return ("<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
            "<x:xmpmeta xmlns:x='adobe:ns:meta/'>\n"
            "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
            f"<rdf:Description rdf:about='{about}'\n"
            " xmlns:dc='http://purl.org/dc/elements/1.1/'\n"
            " xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/'\n"
            " xmlns:xmpRights='http://ns.adobe.com/xap/1.0/rights/'\n"
            " xmlns:plus='http://ns.useplus.org/ldf/xmp/1.0/'\n"
            " xmlns:cc='http://creativecommons.org/ns#'>\n"
            f"{body}\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n" + " " * 200 +
            "\n<?xpacket end='w'?>")


BILINGUAL = packet("""
 <dc:description><rdf:Alt>
  <rdf:li xml:lang='x-default'>Police officers guard the gate. EDITORIAL USE ONLY.</rdf:li>
  <rdf:li xml:lang='ko-KR'>경찰이 정문을 지키고 있다. 보도용으로만 사용 가능.</rdf:li>
 </rdf:Alt></dc:description>
 <xmpRights:UsageTerms><rdf:Alt>
  <rdf:li xml:lang='x-default'>No commercial use. NO ARCHIVES.</rdf:li>
  <rdf:li xml:lang='ko-KR'>상업적 이용금지. DB 금지.</rdf:li>
 </rdf:Alt></xmpRights:UsageTerms>
 <dc:creator><rdf:Seq><rdf:li>Kim Ji-hoon</rdf:li><rdf:li>Lee Min</rdf:li></rdf:Seq></dc:creator>
 <photoshop:Instructions>SOUTH KOREA OUT</photoshop:Instructions>
 <plus:DataMining rdf:resource='http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING'/>
""")


def values(sources) -> dict[str, str]:
    return {fs.source: fs.value for fs in sources}


def test_language_alternatives_are_separate_sources():
    got = values(parse_xmp([("t", BILINGUAL.encode("utf-8"))]))
    assert got["xmp:dc:description[x-default]"].startswith("Police officers")
    assert got["xmp:dc:description[ko-KR]"] == "경찰이 정문을 지키고 있다. 보도용으로만 사용 가능."
    assert got["xmp:xmpRights:UsageTerms[x-default]"] == "No commercial use. NO ARCHIVES."
    assert got["xmp:xmpRights:UsageTerms[ko-KR]"] == "상업적 이용금지. DB 금지."
    assert got["xmp:dc:creator"] == "Kim Ji-hoon; Lee Min"
    assert got["xmp:photoshop:Instructions"] == "SOUTH KOREA OUT"
    assert got["xmp:plus:DataMining"].endswith("DMI-PROHIBITED-AIMLTRAINING")
    fields = {fs.source: fs.field for fs in parse_xmp([("t", BILINGUAL.encode())])}
    assert fields["xmp:dc:description[ko-KR]"] == "caption"
    assert fields["xmp:xmpRights:UsageTerms[ko-KR]"] == "usage_terms"
    assert fields["xmp:plus:DataMining"] == "data_mining"


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-16", "utf-8-sig", "utf-32"])
def test_utf16_and_other_encodings(encoding):
    data = BILINGUAL.replace("begin='\ufeff'", "begin=''").encode(encoding)
    got = values(parse_xmp([("t", data)]))
    assert got["xmp:dc:description[ko-KR]"].startswith("경찰이")


def test_utf16_with_bom_inside_xpacket_and_junk_around():
    data = b"\0\0junk" + BILINGUAL.encode("utf-16-be") + b"\0" * 101
    notices: list = []
    got = values(parse_xmp([("t", data)], notices=notices))
    assert got["xmp:xmpRights:UsageTerms[ko-KR]"] == "상업적 이용금지. DB 금지."


def test_attribute_shorthand_and_prefix_independence():
    data = ("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            "<rdf:Description rdf:about='' xmlns:ps='http://ns.adobe.com/photoshop/1.0/'"
            " xmlns:r='http://ns.adobe.com/xap/1.0/rights/' xmlns:p='http://ns.useplus.org/ldf/xmp/1.0/'"
            " ps:Instructions='NO SALES' ps:Credit='AP' r:Marked='True'"
            " r:WebStatement='https://creativecommons.org/licenses/by-nc/4.0/'>"
            "<p:Licensor><rdf:Seq><rdf:li p:LicensorName='Agency' p:LicensorEmail='a@b.c'/></rdf:Seq></p:Licensor>"
            "<p:ImageAlterationConstraints><rdf:Bag>"
            "<rdf:li rdf:resource='http://ns.useplus.org/ldf/vocab/AL-CRP'/>"
            "<rdf:li>http://ns.useplus.org/ldf/vocab/AL-FLP</rdf:li></rdf:Bag></p:ImageAlterationConstraints>"
            "</rdf:Description></rdf:RDF></x:xmpmeta>")
    got = {(fs.field, fs.source): fs.value for fs in parse_xmp([("t", data.encode())], "sidecar")}
    assert got[("special_instructions", "sidecar:photoshop:Instructions")] == "NO SALES"
    assert got[("credit", "sidecar:photoshop:Credit")] == "AP"
    assert got[("rights_marked", "sidecar:xmpRights:Marked")] == "True"
    assert got[("licensor_name", "sidecar:plus:Licensor/plus:LicensorName")] == "Agency"
    assert got[("licensor_email", "sidecar:plus:Licensor/plus:LicensorEmail")] == "a@b.c"
    assert got[("alteration_constraints", "sidecar:plus:ImageAlterationConstraints")] == (
        "http://ns.useplus.org/ldf/vocab/AL-CRP; http://ns.useplus.org/ldf/vocab/AL-FLP")


def test_parse_type_resource_rdf_value_and_cc():
    data = packet("""
 <cc:license rdf:resource='http://creativecommons.org/licenses/by-sa/4.0/'/>
 <cc:attributionName>Jane Doe</cc:attributionName>
 <photoshop:Credit><rdf:Description><rdf:value>Yonhap</rdf:value></rdf:Description></photoshop:Credit>
 <plus:Licensee><rdf:Seq><rdf:li rdf:parseType='Resource'>
   <plus:LicenseeName>Example Daily</plus:LicenseeName></rdf:li></rdf:Seq></plus:Licensee>
""")
    got = {fs.field: fs.value for fs in parse_xmp([("t", data.encode())])}
    assert got["license_url"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    assert got["attribution_name"] == "Jane Doe"
    assert got["credit"] == "Yonhap"
    assert got["licensee_name"] == "Example Daily"


def test_lang_alt_edge_cases():
    data = packet("""
 <dc:title><rdf:Alt><rdf:li xml:lang='de'>Sonne</rdf:li><rdf:li xml:lang='en'>Sun</rdf:li></rdf:Alt></dc:title>
 <dc:description><rdf:Alt><rdf:li>no lang</rdf:li></rdf:Alt></dc:description>
 <dc:rights><rdf:Alt><rdf:li xml:lang='x-default'>one</rdf:li><rdf:li xml:lang='x-default'>two</rdf:li></rdf:Alt></dc:rights>
""")
    got = values(parse_xmp([("t", data.encode())]))
    assert got["xmp:dc:title[de]"] == "Sonne" and got["xmp:dc:title[en]"] == "Sun"
    assert got["xmp:dc:description[x-default]"] == "no lang"
    assert got["xmp:dc:rights[x-default]"] == "one"
    assert got["xmp:dc:rights[x-default]#2"] == "two"


def test_broken_xml_is_a_notice_not_an_exception():
    notices: list = []
    data = packet("<photoshop:Instructions>NO SALES</photoshop:Instr>").encode()
    assert parse_xmp([("app1", data)], notices=notices) == []
    assert notices and notices[0].kind == "damaged" and "app1" in notices[0].message


def test_truncated_packet_and_garbage_are_notices():
    notices: list = []
    data = BILINGUAL.encode()[:300]
    assert parse_xmp([("cut", data), ("junk", b"\xff\xfe\x00garbage"), ("empty", b"")], notices=notices) == []
    assert [n.kind for n in notices] and all(n.kind == "damaged" for n in notices)


def test_xmp_bomb_is_refused():
    bomb = ("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol 'lol'>\n"
            + "".join(f" <!ENTITY lol{i} '{('&lol' + str(i - 1) + ';') * 10 if i > 1 else '&lol;' * 10}'>\n"
                      for i in range(1, 10))
            + "]>\n" + packet("<photoshop:Instructions>&lol9;</photoshop:Instructions>"))
    notices: list = []
    assert parse_xmp([("bomb", bomb.encode())], notices=notices) == []
    assert len(notices) == 1 and notices[0].kind == "damaged"
    assert "refused" in notices[0].message


def test_external_entity_is_refused():
    xxe = ("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
           + packet("<photoshop:Instructions>&e;</photoshop:Instructions>"))
    notices: list = []
    assert parse_xmp([("xxe", xxe.encode())], notices=notices) == []
    assert notices and "refused" in notices[0].message


def test_a_dtd_in_any_case_or_inside_the_packet_never_reaches_the_c_parser(monkeypatch):
    # made up for this test: the "<!" found cheaply first, then the case-blind search
    from rights_check.image import xmp

    seen: list[str] = []
    monkeypatch.setattr(xmp.ET, "fromstring", lambda text: seen.append(text))
    lower = "<!doctype x [<!entity e 'x'>]>" + packet("<photoshop:Instructions>&e;</photoshop:Instructions>")
    inside = packet("<photoshop:Instructions>A</photoshop:Instructions><!ENTITY e 'x'>")
    for where, text in (("lower", lower), ("inside", inside)):
        notices: list = []
        assert parse_xmp([(where, text.encode())], notices=notices) == []
        assert notices and notices[0].kind == "damaged", where
    assert seen == []
    assert xmp._dtd("<x:xmpmeta>no declaration</x:xmpmeta>") is None


def test_deep_nesting_is_bounded():
    deep = "<photoshop:Credit>" + "<rdf:Bag><rdf:li>" * 200 + "x" + "</rdf:li></rdf:Bag>" * 200 + "</photoshop:Credit>"
    notices: list = []
    parse_xmp([("deep", packet(deep).encode())], notices=notices)
    assert notices and notices[0].kind == "damaged"


def test_second_packet_sources_are_numbered():
    a = packet("<photoshop:Instructions>A</photoshop:Instructions>").encode()
    b = packet("<photoshop:Instructions>B</photoshop:Instructions>").encode()
    got = values(parse_xmp([("1", a), ("2", b)]))
    assert got == {"xmp:photoshop:Instructions": "A", "xmp:photoshop:Instructions#2": "B"}


def test_extended_xmp_fixture_is_read_whole():
    xmp, ext, _ = blocks_of(FIXTURES / "ExtendedXMP.jpg")
    notices: list = []
    parse_xmp(xmp, notices=notices)
    parse_xmp(ext, "xmp-ext", notices=notices)
    assert not notices
    assert ext and b"pdf" in ext[0][1]


def test_undefined_entity_without_dtd_is_a_notice():
    # no DTD: the C parser reads the packet, and an entity it cannot know is a parse error
    notices: list = []
    text = packet("<photoshop:Instructions>&e;</photoshop:Instructions>")
    assert parse_xmp([("no-dtd", text.encode())], notices=notices) == []
    assert notices and notices[0].kind == "damaged"


def test_c_parser_and_defusedxml_read_the_fixtures_alike():
    import defusedxml.ElementTree as DET

    from rights_check.image import xmp

    gold = json.loads((FIXTURES / "exiftool.json").read_text(encoding="utf-8"))
    compared = 0
    for rec in gold:
        if not any(t.startswith("XMP-") for t in rec):
            continue
        from rights_check.image.containers import read_blocks

        for where, data in read_blocks(FIXTURES / rec["SourceFile"]).xmp:
            text = xmp._xml_text(data, where, [])
            if text is None:
                continue
            fast = list(xmp._properties(xmp._parse(text)))
            safe = list(xmp._properties(DET.fromstring(text, forbid_dtd=True)))
            assert fast == safe, rec["SourceFile"]
            compared += 1
    assert compared >= 20


# --- empty self-closing packets, and packets that are not UTF-8 --------------------------------

@pytest.mark.parametrize("name", ["xmp_no_prefix.jpg", "xmp_padded.jpg"])
def test_empty_self_closing_packet_reads_without_notices(name):
    # Pillow's test files: <x:xmpmeta xmlns:x="adobe:ns:meta/" .../> (well-formed, empty),
    # the second with NUL padding after the packet
    from rights_check.image import read_image

    sources, notices = read_fixture(name)
    assert sources == [] and notices == []
    record = read_image(FIXTURES / name)
    assert dict(record.fields) == {} and list(record.notices) == []


def test_self_closing_root_made_here_and_a_cut_packet():
    # made up: a '>' inside an attribute value, and junk after the packet
    data = b"<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='a > b' />\n<?xpacket end='w'?>\0\0\xff"
    notices: list = []
    assert parse_xmp([("t", data)], notices=notices) == [] and notices == []
    # a packet really cut inside its root still gets its notice
    cut = packet("<photoshop:Instructions>NO SALES</photoshop:Instructions>").encode()
    cut = cut[:cut.index(b"</rdf:RDF>")]
    assert parse_xmp([("cut", cut)], notices=notices) == []
    assert [n.kind for n in notices][:1] == ["damaged"]
    assert "ends before </x:xmpmeta>" in notices[0].message
    # an unclosed start tag is not mistaken for a self-closing one
    notices = []
    parse_xmp([("open", b"<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='a/>")], notices=notices)
    assert notices and notices[0].kind == "damaged"


def test_latin1_packet_fixture_is_read_as_cp1252_with_a_guess_notice():
    # pillow-heif's L_xmp_latin1.heic: "Aimé" written as the single byte 0xE9
    sources, notices = read_fixture("L_xmp_latin1.heic")
    got = values(sources)
    assert got["xmp:dc:description[x-default]"].startswith("Jules Adolphe Aimé Louis Breton (French")
    assert not any("\ufffd" in v for v in got.values())
    assert [(n.kind, n.field) for n in notices] == [("encoding_guess", "caption")]
    assert "not valid UTF-8" in notices[0].message and "cp1252" in notices[0].message


def test_cp1252_packet_made_here():
    # made up: cp1252 bytes (© 0xA9, – 0x96, ë 0xEB) in a packet without an encoding declaration
    body = ("<dc:rights><rdf:Alt><rdf:li xml:lang='x-default'>© 2024 Zoë – no reuse</rdf:li>"
            "</rdf:Alt></dc:rights><photoshop:Instructions>NO SALES</photoshop:Instructions>")
    data = packet(body).replace("\ufeff", "").encode("cp1252")
    notices: list = []
    got = values(parse_xmp([("t", data)], notices=notices))
    assert got["xmp:dc:rights[x-default]"] == "© 2024 Zoë – no reuse"
    assert got["xmp:photoshop:Instructions"] == "NO SALES"
    # one notice, on the field the guess touched; the ASCII field has none
    assert [(n.kind, n.field) for n in notices] == [("encoding_guess", "copyright")]
    assert notices[0].message.endswith("decoded as cp1252")


def test_packet_mixing_utf8_and_cp1252_keeps_the_utf8():
    # made up: a UTF-8 packet into which one tool pasted a cp1252 value
    data = packet("<photoshop:Credit>Bjørn</photoshop:Credit>"
                  "<photoshop:Source>SRC</photoshop:Source>").encode("utf-8")
    data = data.replace(b"SRC", "Café".encode("cp1252"))
    notices: list = []
    got = values(parse_xmp([("t", data)], notices=notices))
    assert got["xmp:photoshop:Credit"] == "Bjørn" and got["xmp:photoshop:Source"] == "Café"
    assert {n.kind for n in notices} == {"encoding_guess"}
    assert "UTF-8 where valid, cp1252 for the other bytes" in notices[0].message


def test_declared_legacy_encoding_is_honoured_without_a_notice():
    # made up: an ISO-8859-1 declaration (read as cp1252, its superset) and one for ISO-8859-2
    for enc, text in (("ISO-8859-1", "Crème brûlée"), ("ISO-8859-2", "Łukasz Żółw")):
        data = (f"<?xml version='1.0' encoding='{enc}'?>" + packet(
            f"<photoshop:Credit>{text}</photoshop:Credit>").replace("\ufeff", "")).encode(enc)
        notices: list = []
        assert values(parse_xmp([("t", data)], notices=notices)) == {"xmp:photoshop:Credit": text}
        assert notices == []
