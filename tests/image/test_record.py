"""Reconciliation (MWG), conflicts, sidecars and machine-readable restrictions."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rights_check.image.machine import iso_datetime, machine_restrictions
from rights_check.image.record import (FieldSource, find_sidecar, find_sidecars, read_sidecar,
                                       reconcile)
from rights_check.image.xmp import parse_xmp
from rights_check.model import Notice

from .test_xmp import FIXTURES, packet, read_fixture


def kinds(record, kind):
    return [n for n in record.notices if n.kind == kind]


# --- preferred values ------------------------------------------------------------------------

def test_xmp_preferred_over_iim_without_digest():
    rec = reconcile([FieldSource("credit", "iptc:2:110", "Yonhap"),
                     FieldSource("credit", "xmp:photoshop:Credit", "Yonhap News Agency")])
    assert rec.value("credit") == "Yonhap News Agency"
    assert rec.fields["credit"].preferred_source == "xmp:photoshop:Credit"
    # a prefix well short of the 32-byte limit is another value, not a cut one
    assert kinds(rec, "field_conflict") and not kinds(rec, "truncated")


def test_iim_preferred_when_digest_does_not_match():
    srcs = [FieldSource("special_instructions", "iptc:2:40", "NO SALES. MAGS OUT"),
            FieldSource("special_instructions", "xmp:photoshop:Instructions", "NO SALES")]
    assert reconcile(srcs, iptc_digest="match").value("special_instructions") == "NO SALES"
    rec = reconcile(srcs, iptc_digest="mismatch")
    assert rec.value("special_instructions") == "NO SALES. MAGS OUT"
    conflict = kinds(rec, "field_conflict")
    assert len(conflict) == 1 and conflict[0].field == "special_instructions"
    assert "iptc:2:40" in conflict[0].message and "xmp:photoshop:Instructions" in conflict[0].message


def test_truncated_iim_loses_to_xmp_even_with_digest_mismatch():
    full = "©1985 David Riecks: www.riecks.com"
    cut = full.encode()[:32].decode("utf-8", "ignore")
    rec = reconcile([FieldSource("credit", "iptc:2:110", cut),
                     FieldSource("credit", "xmp:photoshop:Credit", full)], iptc_digest="mismatch")
    assert rec.value("credit") == full
    assert [n.field for n in kinds(rec, "truncated")] == ["credit"]
    assert not kinds(rec, "field_conflict")


def test_guessed_iim_charset_loses_to_unicode_xmp():
    notices = [Notice("encoding_guess", "caption: guessed cp1252", "caption")]
    rec = reconcile([FieldSource("caption", "iptc:2:120", "ê²½ì°°"),
                     FieldSource("caption", "xmp:dc:description[x-default]", "경찰")],
                    notices, iptc_digest="mismatch")
    assert rec.value("caption") == "경찰"


def test_mwg_exif_first_for_description_copyright_creator():
    # MWG.jpg: IIM and XMP descriptions are "WRONG", EXIF's is "RIGHT"
    rec = reconcile([FieldSource("caption", "iptc:2:120", "WRONG-IPTC-Description"),
                     FieldSource("caption", "exif:ImageDescription", "RIGHT-EXIF-Description"),
                     FieldSource("caption", "xmp:dc:description[x-default]", "WRONG-XMP-Description"),
                     FieldSource("copyright", "iptc:2:116", "WRONG-IPTC-Copyright"),
                     FieldSource("copyright", "xmp:dc:rights[x-default]", "RIGHT-XMP-Copyright"),
                     FieldSource("copyright", "exif:Copyright", "  ")])
    assert rec.value("caption") == "RIGHT-EXIF-Description"
    assert rec.value("copyright") == "RIGHT-XMP-Copyright"
    assert {n.field for n in kinds(rec, "field_conflict")} == {"caption", "copyright"}


def test_other_exif_tags_only_when_nothing_else():
    rec = reconcile([FieldSource("caption", "exif:XPComment", "xp"),
                     FieldSource("caption", "iptc:2:120", "iim")])
    assert rec.value("caption") == "iim"
    assert reconcile([FieldSource("caption", "exif:XPComment", "xp")]).value("caption") == "xp"


def test_whitespace_and_languages_are_not_conflicts():
    rec = reconcile([FieldSource("caption", "iptc:2:120", "Police  guard\r\nthe gate "),
                     FieldSource("caption", "xmp:dc:description[x-default]", "Police guard the gate"),
                     FieldSource("caption", "xmp:dc:description[ko-KR]", "경찰이 정문을 지킨다"),
                     FieldSource("copyright", "exif:Copyright", ""),
                     FieldSource("copyright", "iptc:2:116", "© Yonhap")])
    assert not kinds(rec, "field_conflict")
    assert rec.fields["caption"].alternatives["ko-KR"] == "경찰이 정문을 지킨다"
    assert rec.value("copyright") == "© Yonhap"


def test_repeated_iim_dataset_is_one_list():
    rec = reconcile([FieldSource("byline", "iptc:2:80", "Kim"), FieldSource("byline", "iptc:2:80", "Lee"),
                     FieldSource("byline", "xmp:dc:creator", "Kim; Lee")])
    assert not kinds(rec, "field_conflict")


def test_to_dict_shape():
    rec = reconcile([FieldSource("caption", "iptc:2:120", "a"), FieldSource("caption", "exif:ImageDescription", "a")],
                    path="x.jpg", format="jpeg")
    # contract §5 shape, plus "source": the source the preferred value came from (MWG: EXIF)
    assert rec.to_dict() == {"caption": {"value": "a", "source": "exif:ImageDescription", "sources": [
        {"source": "iptc:2:120", "value": "a"}, {"source": "exif:ImageDescription", "value": "a"}]}}
    full = rec.to_report_dict()
    assert full["source"] == "x.jpg" and full["format"] == "jpeg" and full["notices"] == []
    with pytest.raises(Exception):
        rec.fields["caption"] = None  # read-only


def test_alt_edge_cases_fixture_reports_duplicate_x_default():
    sources, notices = read_fixture("alt-edge-cases.xmp")
    rec = reconcile(sources, notices, format="xmp")
    assert rec.value("copyright") == "First x-default rights"
    assert [n.field for n in kinds(rec, "field_conflict")] == ["copyright"]
    assert rec.value("title") in ("Sonnenuntergang", "Sunset")


# --- sidecars --------------------------------------------------------------------------------

def _jpeg_with_xmp(xmp: bytes) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", xmp=xmp)
    return buf.getvalue()


def test_find_sidecar_case_insensitive(tmp_path):
    img = tmp_path / "photo.jpg"
    img.write_bytes(b"")
    assert find_sidecar(img) is None
    (tmp_path / "PHOTO.XMP").write_text("x")
    (tmp_path / "photo.jpg.Xmp").write_text("x")
    assert [p.name for p in find_sidecars(img)] == ["PHOTO.XMP", "photo.jpg.Xmp"]
    assert find_sidecar(img).name == "PHOTO.XMP"
    assert find_sidecars(tmp_path / "PHOTO.XMP") == []


def test_sidecar_that_disagrees_with_the_image(tmp_path):
    from .test_xmp import blocks_of

    image_xmp = packet("<photoshop:Instructions>EDITORIAL USE ONLY</photoshop:Instructions>"
                       "<photoshop:Credit>Yonhap</photoshop:Credit>").encode()
    side_xmp = packet("<photoshop:Instructions>EDITORIAL USE ONLY. NO SALES</photoshop:Instructions>"
                      "<photoshop:Credit>Yonhap</photoshop:Credit>").encode()
    img = tmp_path / "photo.jpg"
    img.write_bytes(_jpeg_with_xmp(image_xmp))
    (tmp_path / "photo.jpg.xmp").write_bytes(side_xmp)
    notices: list = []
    xmp, _, _ = blocks_of(img)
    sources = parse_xmp(xmp, notices=notices)
    sidecar = find_sidecar(img)
    sources += read_sidecar(sidecar, notices)
    rec = reconcile(sources, notices, path=img, format="jpeg")
    assert rec.value("special_instructions") == "EDITORIAL USE ONLY"  # the image's own XMP
    srcs = dict(rec.fields["special_instructions"].sources)
    assert srcs["sidecar:photoshop:Instructions"] == "EDITORIAL USE ONLY. NO SALES"
    conflicts = kinds(rec, "field_conflict")
    assert [n.field for n in conflicts] == ["special_instructions"]
    assert "sidecar" in conflicts[0].message
    # the sidecar's extra words are read by the restriction pipeline too
    from rights_check.image import caption_of
    assert caption_of(rec).restriction("no_resale") is not None


def test_lone_sidecar_fills_fields(tmp_path):
    rec = reconcile(read_sidecar(FIXTURES / "PLUS.xmp"), format="xmp")
    assert rec.value("copyright") == "Copyright © 2016 Phil Harvey"
    assert rec.fields["copyright"].preferred_source == "sidecar:dc:rights[x-default]"


def test_unreadable_sidecar_is_a_notice(tmp_path):
    notices: list = []
    assert read_sidecar(tmp_path / "missing.xmp", notices) == []
    assert notices[0].kind == "damaged"


# --- machine-readable restrictions -----------------------------------------------------------

def test_data_mining_scopes():
    srcs = [FieldSource("data_mining", "xmp:plus:DataMining", f"http://ns.useplus.org/ldf/vocab/{code}")
            for code in ("DMI-PROHIBITED-AIMLTRAINING", "DMI-PROHIBITED-GENAIMLTRAINING",
                         "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", "DMI-PROHIBITED-SEECONSTRAINT",
                         "DMI-ALLOWED", "DMI-UNSPECIFIED")]
    got = machine_restrictions(srcs)
    assert all(r.type == "no_ai_training" for r in got)
    assert sorted(r.value["scope"] for r in got) == ["ai_training", "all_mining", "genai_training"]
    allm = next(r for r in got if r.value["scope"] == "all_mining")
    assert len(allm.evidence) == 2
    ev = got[0].evidence[0]
    assert (ev.field, ev.start, ev.end, ev.lang) == ("data_mining", 0, len(srcs[0].value), "und")
    assert ev.text == srcs[0].value and ev.phrase == "machine:DMI-PROHIBITED-AIMLTRAINING"


def test_dates_become_embargo_and_expires():
    got = machine_restrictions([
        FieldSource("release_date", "iptc:2:30", "20260501"),
        FieldSource("release_time", "iptc:2:35", "090000+0900"),
        FieldSource("expiration_date", "iptc:2:37", "2026-06-01"),
        FieldSource("expiration_date", "xmp:plus:LicenseEndDate", "2015-04-01")])
    emb = [r for r in got if r.type == "embargo"]
    assert len(emb) == 1 and emb[0].value["until"] == "2026-05-01T09:00:00+09:00"
    assert sorted(r.value["on"] for r in got if r.type == "expires") == ["2015-04-01", "2026-06-01"]
    assert iso_datetime("2010:04:01") == "2010-04-01"
    assert iso_datetime("not a date") is None
    assert iso_datetime("2024-13-01") is None


def test_cc_licence_url_expands_to_parts():
    got = machine_restrictions([
        FieldSource("license_url", "xmp:cc:license", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
        FieldSource("attribution_name", "xmp:cc:attributionName", "Jane Doe"),
        FieldSource("web_statement", "xmp:xmpRights:WebStatement", "https://example.com/terms")])
    lic = [r for r in got if r.type == "license"]
    assert len(lic) == 1 and lic[0].value["id"] == "CC-BY-NC-ND-4.0"
    parts = {r.type: r for r in got if r.type != "license"}
    assert set(parts) == {"mandatory_credit", "no_commercial", "no_derivatives"}
    assert all(r.implied_by == ("CC-BY-NC-ND-4.0",) for r in parts.values())
    assert parts["mandatory_credit"].value["credit"] == "Jane Doe"


def test_plus_fixture_alteration_constraints():
    sources, notices = read_fixture("PLUS.xmp")
    rec = reconcile(sources, notices, format="xmp")
    nm = [r for r in rec.restrictions if r.type == "no_manipulation"]
    assert len(nm) == 1
    assert nm[0].value["strict"] is False
    assert list(nm[0].value["forbidden"]) == ["crop", "flip", "retouch", "colorize", "grayscale", "composite"]


def test_reference_image_data_mining_and_release_status():
    sources, notices = read_fixture("IPTC-PhotometadataRef-Std2024.1.jpg")
    rec = reconcile(sources, notices)
    assert [r.value["scope"] for r in rec.restrictions if r.type == "no_ai_training"] == ["genai_training"]
    assert not [r for r in rec.restrictions if r.type == "third_party_notice"]  # MR-NAP, PR-NAP


def test_model_release_none_is_third_party_notice():
    sources, notices = read_fixture("avif_exif_xmp.avif")
    rec = reconcile(sources, notices)
    tp = [r for r in rec.restrictions if r.type == "third_party_notice"]
    assert len(tp) == 1 and "model release" in tp[0].value["text"]


def test_licence_end_date_fixture():
    sources, notices = read_fixture("iptc-independent-photographer-example.jpg")
    rec = reconcile(sources, notices)
    assert [r.value["on"] for r in rec.restrictions if r.type == "expires"] == ["2015-04-01"]
    assert rec.value("expiration_date") == "2015-04-01"
