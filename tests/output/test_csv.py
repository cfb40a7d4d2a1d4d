"""``--format csv``: one row per restriction finding, RFC 4180, spreadsheet-safe (issue 4)."""

import csv
import hashlib
import io
import json
import os
import sys

import pytest

from rights_check import cli
from rights_check.output.csv import CHECK_COLUMNS, PARSE_COLUMNS, READ_COLUMNS, CsvRenderer, safe_cell

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "fixtures", "captions", "seed.txt")
IMAGE = os.path.join(ROOT, "fixtures", "images", "iptc-staff-photographer-example.jpg")
ADVERT = os.path.join(ROOT, "fixtures", "usage", "company-advertisement.yaml")
BLOG = os.path.join(ROOT, "fixtures", "usage", "blog-post.yaml")
with open(SEED, encoding="utf-8", newline="") as fh:
    SEED_TEXT = fh.read()
with open(SEED, "rb") as fh:
    SEED_SHA256 = hashlib.sha256(fh.read()).hexdigest()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(out: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows, read back with the csv module (stdout holds only the CSV)."""
    assert out.endswith("\r\n")  # RFC 4180 line ends
    reader = csv.reader(io.StringIO(out, newline=""))
    header, *rows = list(reader)
    assert all(len(r) == len(header) for r in rows)
    return header, [dict(zip(header, r)) for r in rows]


def jsonl(capsys, *argv) -> list[dict]:
    code, out, err = run(capsys, *argv, "--format", "jsonl")
    return [json.loads(line) for line in out.splitlines()]


def summary_of(err: str) -> dict:
    return json.loads(err.strip().splitlines()[-1])["summary"]


def test_one_row_per_finding_for_the_seed_caption(capsys):
    code, out, err = run(capsys, "check", SEED, "--use", ADVERT, "--format", "csv")
    assert code == 1, err
    header, rows = rows_of(out)
    assert tuple(header) == CHECK_COLUMNS
    [report] = jsonl(capsys, "check", SEED, "--use", ADVERT)
    assert len(rows) == len(report["findings"]) >= 5
    for row, finding, restriction in zip(rows, report["findings"], report["restrictions"]):
        assert row["source"] == SEED and row["id"] == ""
        assert row["verdict"] == "violation"
        assert row["type"] == finding["type"] and row["finding_verdict"] == finding["verdict"]
        assert row["reason"] == finding["reason"]
        assert row["manifest_field"] == (finding["manifest_field"] or "")
        ev = restriction["evidence"][0]
        start, end = int(row["evidence_start"]), int(row["evidence_end"])
        assert (start, end, row["evidence_field"], row["lang"]) == (ev["start"], ev["end"], "caption", ev["lang"])
        assert row["evidence"] == ev["text"] == SEED_TEXT[start:end]
        assert (json.loads(row["value"]) if row["value"] else None) == restriction["value"]
        assert row["sha256"] == report["sha256"] == SEED_SHA256
        assert row["manifest"] == ADVERT and row["manifest_sha256"] == report["manifest"]["sha256"]
    bad = {r["type"] for r in rows if r["finding_verdict"] == "violation"}
    assert {"editorial_only", "no_commercial", "no_advertising"} <= bad
    # an evidence text with a comma is quoted, not split
    assert any("," in r["evidence"] for r in rows)
    assert summary_of(err) == {"inputs": 1, "ok": 0, "needs_review": 0, "violation": 1, "errors": 0,
                               "exit_code": 1}


def test_blog_post_image_and_missing_file_in_input_order(capsys, tmp_path):
    missing = str(tmp_path / "missing.txt")
    code, out, err = run(capsys, "check", SEED, missing, IMAGE, "--use", BLOG, "--format", "csv")
    assert code == 2, err
    header, rows = rows_of(out)
    sources = [r["source"] for r in rows]
    # rows stay grouped per input, in input order
    assert sources == sorted(sources, key=[SEED, missing, IMAGE].index)
    seed_rows = [r for r in rows if r["source"] == SEED]
    assert {r["verdict"] for r in seed_rows} == {"needs_review"}
    assert {r["finding_verdict"] for r in seed_rows} == {"ok", "needs_review"}
    [error] = [r for r in rows if r["source"] == missing]
    assert error["verdict"] == "error" and error["reason"] == f"{missing}: no such file"
    assert all(error[c] == "" for c in CHECK_COLUMNS if c not in ("source", "verdict", "reason"))
    image_rows = [r for r in rows if r["source"] == IMAGE]
    assert image_rows and {r["verdict"] for r in image_rows} == {"needs_review"}
    fields = {r["evidence_field"] for r in image_rows}
    assert {"special_instructions", "copyright"} <= fields
    assert all(len(r["sha256"]) == 64 for r in image_rows)
    assert summary_of(err)["errors"] == 1


def test_a_report_without_restriction_is_one_row(capsys):
    code, out, err = run(capsys, "check", "--caption", "A farmer plants onions in a field.", "--use", BLOG,
                         "--format", "csv")
    assert code == 0, err
    _, [row] = rows_of(out)
    assert row["verdict"] == "ok"
    assert all(row[c] == "" for c in ("type", "finding_verdict", "reason", "evidence", "value", "sha256"))
    assert row["source"] == "'--caption"  # a text cell starting with '-' is never a formula
    assert row["manifest"] == BLOG


@pytest.mark.parametrize("name", ["=HYPERLINK(1).txt", "+1.txt", "-2.txt", "@SUM(3).txt"])
def test_cells_that_look_like_formulas_get_a_quote(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("Editorial use only.\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--use", ADVERT, "--format", "csv", "--", name)
    assert code == 1, err
    _, rows = rows_of(out)
    assert rows and all(r["source"] == "'" + name for r in rows)
    assert rows[0]["evidence"] == "Editorial use only"  # ordinary cells untouched


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1")] == \
        ["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1"]
    assert [safe_cell(v) for v in ("a=b", "", None, 3, True)] == ["a=b", "", "", 3, "true"]


def test_made_up_reason_round_trips(capsys):
    out, err = io.StringIO(), io.StringIO()
    r = CsvRenderer(out, err)
    r.begin({})
    reason = '=cmd|"/c calc"!A1, 100% sure:\r\nsecond "line"'
    report = {"source": "x.txt", "verdict": "violation", "sha256": None, "manifest": {"path": "u.yaml", "sha256": "s"},
              "findings": [{"type": "no_sales", "verdict": "violation", "reason": reason, "manifest_field": None}],
              "restrictions": [{"type": "no_sales", "value": None, "evidence": []}]}
    r.item(report)
    assert out.getvalue().count("\r\n") >= 2  # flushed as it comes: header and row are out already
    r.end({"inputs": 1, "exit_code": 1})
    _, [row] = rows_of(out.getvalue())
    assert row["reason"] == "'" + reason
    assert json.loads(err.getvalue()) == {"summary": {"inputs": 1, "exit_code": 1}}


def test_records_fill_the_id_column(capsys, monkeypatch):
    records = (json.dumps({"id": "r1", "caption": "Editorial use only."}) + "\n"
               + json.dumps({"id": 7, "path": "does-not-exist.jpg"}) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(records)))
    code, out, err = run(capsys, "check", "--records", "-", "--use", ADVERT, "--format", "csv")
    assert code == 2, err
    header, rows = rows_of(out)
    assert tuple(header) == CHECK_COLUMNS
    assert {r["id"] for r in rows} == {"r1", "7"}
    assert [r["verdict"] for r in rows if r["id"] == "7"] == ["error"]


def test_parse_one_row_per_restriction(capsys, tmp_path):
    missing = str(tmp_path / "missing.txt")
    code, out, err = run(capsys, "parse", SEED, IMAGE, missing, "--format", "csv")
    assert code == 2, err
    header, rows = rows_of(out)
    assert tuple(header) == PARSE_COLUMNS
    [caption] = jsonl(capsys, "parse", SEED)
    seed_rows = [r for r in rows if r["source"] == SEED]
    assert [r["type"] for r in seed_rows] == [x["type"] for x in caption["restrictions"]]
    for r in seed_rows:
        assert SEED_TEXT[int(r["evidence_start"]):int(r["evidence_end"])] == r["evidence"]
        assert r["error"] == ""
    assert {"media_excluded", "rights_reserved"} <= {r["type"] for r in rows if r["source"] == IMAGE}
    [error] = [r for r in rows if r["source"] == missing]
    assert error["error"] == f"{missing}: no such file" and error["type"] == ""


def test_read_one_row_per_field_source(capsys):
    code, out, err = run(capsys, "read", IMAGE, SEED, "--format", "csv")
    assert code == 2, err  # seed.txt is not an image
    header, rows = rows_of(out)
    assert tuple(header) == READ_COLUMNS
    [record] = jsonl(capsys, "read", IMAGE)
    image_rows = [r for r in rows if r["source"] == IMAGE]
    assert len(image_rows) == sum(len(f["sources"]) for f in record["fields"].values())
    assert {r["format"] for r in image_rows} == {"jpeg"}
    captions = [r for r in image_rows if r["field"] == "caption"]
    assert {r["field_source"] for r in captions} >= {"iptc:2:120", "exif:ImageDescription"}
    for name, info in record["fields"].items():
        mine = [r for r in image_rows if r["field"] == name]
        assert [r["preferred"] for r in mine].count("true") == 1
        [best] = [r for r in mine if r["preferred"] == "true"]
        assert best["field_source"] == info["source"] and safe_cell(info["value"]) == best["value"]
    [error] = [r for r in rows if r["source"] == SEED]
    assert error["error"].startswith(SEED) and error["field"] == ""
