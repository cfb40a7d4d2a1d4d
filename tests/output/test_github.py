"""``--format github``: GitHub Actions workflow commands, one per finding that is not ok (issue 4)."""

import io
import json
import os
import re

from rights_check import cli
from rights_check.output.github import GithubRenderer, escape_data, escape_property, line_col

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "fixtures", "captions", "seed.txt")
IMAGE = os.path.join(ROOT, "fixtures", "images", "iptc-staff-photographer-example.jpg")
ADVERT = os.path.join(ROOT, "fixtures", "usage", "company-advertisement.yaml")
BLOG = os.path.join(ROOT, "fixtures", "usage", "blog-post.yaml")
COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    """(level, properties, message) of every line; stdout holds nothing but commands."""
    parsed = []
    for line in out.splitlines():
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group(2).split(",")) if m.group(2) else {}
        parsed.append((m.group(1), props, m.group(3)))
    return parsed


def report_of(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--format", "jsonl")
    [line] = out.splitlines()
    return json.loads(line)


def test_violations_are_errors_on_the_caption_lines(capsys):
    code, out, err = run(capsys, "check", SEED, "--use", ADVERT, "--format", "github")
    assert code == 1, err
    got = commands(out)
    report = report_of(capsys, "check", SEED, "--use", ADVERT)
    bad = [(f, r) for f, r in zip(report["findings"], report["restrictions"]) if f["verdict"] != "ok"]
    assert len(got) == len(bad) >= 5
    for (level, props, message), (finding, restriction) in zip(got, bad):
        assert level == "error"
        assert props["file"] == SEED
        assert props["title"] == f"rights-check {finding['type']}"
        assert message == escape_data(finding["reason"])
        # seed.txt is one line: the column is the evidence offset, 1-based
        assert props["line"] == "1" and props["col"] == str(restriction["evidence"][0]["start"] + 1)
    assert err.strip().splitlines()[-1] == (
        "::notice title=rights-check summary::1 input: 0 ok, 0 needs review, 1 violation, 0 errors; exit code 1")


def test_needs_review_is_a_warning_and_ok_findings_are_silent(capsys):
    code, out, err = run(capsys, "check", SEED, "--use", BLOG, "--format", "github")
    assert code == 3, err
    report = report_of(capsys, "check", SEED, "--use", BLOG)
    review = [f["type"] for f in report["findings"] if f["verdict"] == "needs_review"]
    got = commands(out)
    assert [level for level, _, _ in got] == ["warning"] * len(review)
    assert [props["title"] for _, props, _ in got] == [f"rights-check {t}" for t in review]


def test_lines_and_columns_in_a_multi_line_caption_file(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    # a BOM and CRLF line ends: the BOM is not a column, the line ends at LF
    path.write_bytes("\ufeffFarmer planting onions.\r\nSecond line.\r\n  Editorial use only.\r\n".encode())
    code, out, err = run(capsys, "check", str(path), "--use", ADVERT, "--format", "github")
    assert code == 1, err
    [(level, props, message)] = commands(out)
    assert (level, props["line"], props["col"]) == ("error", "3", "3")
    assert props["title"] == "rights-check editorial_only"


def test_an_image_gets_no_line(capsys):
    code, out, err = run(capsys, "check", IMAGE, "--use", BLOG, "--format", "github")
    assert code == 3, err
    got = commands(out)
    assert got and all(level == "warning" for level, _, _ in got)
    for _, props, _ in got:
        assert props["file"] == IMAGE and "line" not in props and "col" not in props
    assert "rights-check rights_reserved" in {props["title"] for _, props, _ in got}


def test_a_missing_file_is_an_error_and_the_batch_goes_on(capsys, tmp_path):
    missing = str(tmp_path / "missing.txt")
    code, out, err = run(capsys, "check", missing, SEED, IMAGE, "--use", ADVERT, "--format", "github")
    assert code == 2, err
    lines = out.splitlines()
    assert lines[0] == f"::error file={missing}::{missing}: no such file"
    files = [props.get("file") for _, props, _ in commands(out)]
    assert files == sorted(files, key=[missing, SEED, IMAGE].index)  # input order
    assert IMAGE in files and SEED in files
    assert err.strip().endswith("1 error; exit code 2")


def test_a_caption_string_has_no_file(capsys):
    code, out, err = run(capsys, "check", "--caption", "Editorial use only.", "--use", ADVERT, "--format", "github")
    assert code == 1, err
    [(level, props, message)] = commands(out)
    assert level == "error" and props == {"title": "rights-check editorial_only"}


def test_file_names_with_comma_and_colon_are_escaped(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b:c.txt").write_text("Editorial use only.", encoding="utf-8")
    code, out, err = run(capsys, "check", "a,b:c.txt", "x,y:z%.txt", "--use", ADVERT, "--format", "github")
    assert code == 2, err
    first, second = out.splitlines()
    assert first.startswith("::error file=a%2Cb%3Ac.txt,line=1,col=1,title=rights-check editorial_only::")
    # in the message only %, CR and LF are escaped
    assert second == "::error file=x%2Cy%3Az%25.txt::x,y:z%25.txt: no such file"


def test_made_up_reason_is_escaped():
    out, err = io.StringIO(), io.StringIO()
    r = GithubRenderer(out, err)
    r.begin({})
    r.item({"source": "-", "sha256": None, "verdict": "violation", "fields": {"caption": "x"},
            "findings": [{"type": "odd:type,1", "verdict": "violation", "manifest_field": None,
                          "reason": "100% sure:\r\nline two, with: colon"},
                         {"type": "fine", "verdict": "ok", "reason": "ok", "manifest_field": None}],
            "restrictions": [{"type": "odd:type,1", "value": None, "evidence": []},
                             {"type": "fine", "value": None, "evidence": []}]})
    assert out.getvalue() == "::error title=rights-check odd%3Atype%2C1::100%25 sure:%0D%0Aline two, with: colon\n"
    r.end({"inputs": 1, "ok": 0, "needs_review": 0, "violation": 1, "errors": 0, "exit_code": 1})
    assert err.getvalue().startswith("::notice title=rights-check summary::1 input:")
    assert escape_data("a%b\nc\rd,e:f") == "a%25b%0Ac%0Dd,e:f"
    assert escape_property("a%b\nc\rd,e:f") == "a%25b%0Ac%0Dd%2Ce%3Af"


def test_a_review_from_a_garbled_rights_field_alone_is_a_warning():
    out = io.StringIO()
    r = GithubRenderer(out, io.StringIO())
    r.item({"source": "photo.jpg", "sha256": "0" * 64, "verdict": "needs_review", "fields": {"copyright": "x"},
            "findings": [{"type": "rights_reserved", "verdict": "ok", "reason": "fine", "manifest_field": None}],
            "restrictions": [{"type": "rights_reserved", "value": None, "evidence": []}],
            "notices": [{"kind": "translation_gap", "message": "not this"},
                        {"kind": "encoding_guess", "message": "copyright: decoded as cp1252", "field": "copyright"}]})
    assert out.getvalue() == "::warning file=photo.jpg,title=rights-check encoding_guess::copyright: decoded as cp1252\n"


def test_line_col():
    text = "ab\ncd\r\nef"
    assert [line_col(text, i) for i in (0, 1, 3, 4, 7)] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]


def test_parse_and_read_write_notices(capsys):
    code, out, err = run(capsys, "parse", SEED, IMAGE, "--format", "github")
    assert code == 0, err
    got = commands(out)
    assert {level for level, _, _ in got} == {"notice"}
    seed = [props for _, props, _ in got if props["file"] == SEED]
    assert seed and all(p["line"] == "1" for p in seed)
    assert "rights-check editorial_only" in {p["title"] for p in seed}
    image = [props for _, props, _ in got if props["file"] == IMAGE]
    assert image and all("line" not in p for p in image)

    code, out, err = run(capsys, "read", IMAGE, "--format", "github")
    assert code == 0, err
    titles = {props["title"] for _, props, _ in commands(out)}
    assert {"rights-check third_party_notice", "rights-check encoding_guess"} <= titles
