"""The command line: exit codes, formats, stdin, errors, output files (contract §4, §5)."""

import io
import json
import os
import subprocess
import sys

import pytest

from rights_check import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USAGE = os.path.join(ROOT, "fixtures", "usage")
with open(os.path.join(ROOT, "fixtures", "captions", "captions.jsonl"), encoding="utf-8") as fh:
    SEED = json.loads(fh.readline())["text"]


def run(capsys, *argv, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seed_file(tmp_path):
    path = tmp_path / "seed.txt"
    path.write_text(SEED, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("manifest,code", [
    ("newspaper-editorial-web.yaml", 0), ("company-advertisement.yaml", 1), ("blog-post.yaml", 3)])
def test_seed_exit_codes(capsys, seed_file, manifest, code):
    got, out, err = run(capsys, "check", seed_file, "--use", os.path.join(USAGE, manifest))
    assert got == code, err
    assert "editorial_only" in out


def test_json_document_has_the_contract_shape(capsys, seed_file):
    code, out, err = run(capsys, "check", seed_file, "--use", os.path.join(USAGE, "company-advertisement.yaml"),
                         "--format", "json")
    doc = json.loads(out)  # stdout carries only the document
    assert doc["schema"] == "rights-check/report@1"
    assert doc["tool"]["name"] == "rights-check" and len(doc["tool"]["rules"]) == 64
    assert doc["manifest"]["path"].endswith("company-advertisement.yaml") and len(doc["manifest"]["sha256"]) == 64
    report = doc["reports"][0]
    assert report["verdict"] == "violation" and report["source"] == seed_file
    assert len(report["sha256"]) == 64
    bad = {f["type"] for f in report["findings"] if f["verdict"] == "violation"}
    assert {"editorial_only", "no_commercial", "no_advertising"} <= bad
    for r in report["restrictions"]:
        for ev in r["evidence"]:
            assert SEED[ev["start"]:ev["end"]] == ev["text"]
    kinds = {n["kind"] for n in report["notices"]}
    assert "translation_gap" in kinds
    assert doc["summary"] == {"inputs": 1, "ok": 0, "needs_review": 0, "violation": 1, "errors": 0,
                              "exit_code": 1}


def test_jsonl_streams_one_line_per_input_and_keeps_going(capsys, seed_file, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 NO SALES".encode("latin-1"))
    code, out, err = run(capsys, "check", seed_file, str(bad), str(tmp_path / "missing.txt"), seed_file,
                         "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [("error" in line) for line in lines] == [False, True, True, False]
    assert "invalid byte 0xe9 at offset 3" in lines[1]["error"]
    assert "no such file" in lines[2]["error"]
    assert json.loads(err.strip().splitlines()[-1])["summary"]["exit_code"] == 2
    assert code == 2


def test_stdin_dash(capsys, monkeypatch):
    code, out, err = run(capsys, "check", "-", "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"),
                         "--format", "json", stdin="EDITORIAL USE ONLY. NO SALES.".encode(), monkeypatch=monkeypatch)
    doc = json.loads(out)
    assert doc["reports"][0]["source"] == "-"
    assert {r["type"] for r in doc["reports"][0]["restrictions"]} == {"editorial_only", "no_resale"}
    assert code == 0


def test_caption_option_and_exit_zero(capsys):
    args = ["check", "--caption", "NO ARCHIVES", "--use", os.path.join(USAGE, "ai-training.yaml")]
    assert run(capsys, *args)[0] == 1
    assert run(capsys, *args, "--exit-zero")[0] == 0


def test_invalid_manifest_lists_every_problem_on_one_line(capsys, tmp_path):
    m = tmp_path / "usage.yaml"
    m.write_text("purpose: newsy\nmedia: [web]\ncolour: red\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--caption", "NO SALES", "--use", str(m))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    for path in ("purpose", "media[0]", "colour", str(m)):
        assert path in err


def test_manifest_that_is_not_yaml(capsys, tmp_path):
    m = tmp_path / "usage.yaml"
    m.write_text("purpose: [unclosed\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--caption", "NO SALES", "--use", str(m))
    assert code == 2 and "Traceback" not in err and str(m) in err


def test_output_file_is_written_and_stdout_stays_empty(capsys, seed_file, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "check", seed_file, "--use", os.path.join(USAGE, "blog-post.yaml"),
                         "--format", "json", "-o", str(target))
    assert code == 3 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["reports"][0]["verdict"] == "needs_review"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rights-check-")] == []


def test_cut_off_image_is_a_one_line_input_error(capsys, tmp_path):
    img = tmp_path / "photo.txt"  # content is sniffed, not the name
    img.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    code, out, err = run(capsys, "parse", str(img))
    assert code == 2 and str(img) in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["photo.jpg", "caption.txt"])
def test_a_zero_byte_file_is_an_input_error_not_an_ok(capsys, tmp_path, name):
    empty = tmp_path / name
    empty.write_bytes(b"")
    code, out, err = run(capsys, "check", str(empty), "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"),
                         "--format", "jsonl")
    assert code == 2
    assert json.loads(out) == {"source": str(empty), "error": f"{empty}: empty file (zero bytes)"}


def test_image_is_sniffed_and_checked(capsys, tmp_path):
    import shutil
    img = tmp_path / "staff.txt"
    shutil.copy(os.path.join(ROOT, "fixtures", "images", "iptc-staff-photographer-example.jpg"), img)
    code, out, err = run(capsys, "check", str(img), "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"),
                         "--format", "json")
    report = json.loads(out)["reports"][0]
    assert code == 1 and report["verdict"] == "violation"
    media = next(f for f in report["findings"] if f["type"] == "media_excluded")
    assert media["verdict"] == "violation" and "Newspapers Out" in media["reason"]
    ev = next(r for r in report["restrictions"] if r["type"] == "media_excluded")["evidence"][0]
    assert ev["field"] == "special_instructions"
    assert report["fields"]["special_instructions"][ev["start"]:ev["end"]] == "Newspapers Out"


def test_read_json_has_the_contract_shape(capsys):
    path = os.path.join(ROOT, "fixtures", "images", "MWG.jpg")
    code, out, err = run(capsys, "read", path, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "rights-check/read@1"
    image = doc["images"][0]
    assert image["fields"]["caption"]["value"] == "RIGHT-EXIF-Description"
    sources = {s["source"]: s["value"] for s in image["fields"]["caption"]["sources"]}
    assert sources["iptc:2:120"] == "WRONG-IPTC-Description"
    assert any(n["kind"] == "field_conflict" for n in image["notices"])


def test_folder_is_walked_in_sorted_order(capsys, tmp_path):
    (tmp_path / "b.txt").write_text("NO SALES", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("MAGS OUT", encoding="utf-8")
    (tmp_path / "a.txt").write_text("JAPAN OUT", encoding="utf-8")
    code, out, err = run(capsys, "parse", str(tmp_path), "--format", "jsonl")
    sources = [os.path.relpath(json.loads(line)["source"], tmp_path) for line in out.splitlines()]
    assert sources == ["a.txt", "b.txt", os.path.join("sub", "a.txt")] and code == 0


@pytest.mark.parametrize("text", ["", "   \n\t", "1234 5678 -- ///", "©"])
def test_empty_and_letterless_text_get_an_ordinary_report(capsys, text):
    code, out, err = run(capsys, "check", "--caption", text, "--use",
                         os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["reports"][0]["verdict"] == "ok" and doc["reports"][0]["restrictions"] == []


def test_parse_text_output_marks_evidence(capsys):
    code, out, err = run(capsys, "parse", "--caption", "Seoul, Feb 9 (Yonhap) -- EDITORIAL USE ONLY. JAPAN OUT.")
    assert code == 0
    assert "[[EDITORIAL USE ONLY]](1)" in out and "[[JAPAN OUT]](2)" in out
    assert "territory_excluded" in out


def test_usage_errors_exit_2_in_one_line(capsys):
    code, out, err = run(capsys, "check", "--caption", "x")
    assert code == 2 and "--use" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "check", "--use", os.path.join(USAGE, "blog-post.yaml"))
    assert code == 2 and "SOURCE" in err
    code, out, err = run(capsys, "check", "--caption", "x", "--use", os.path.join(USAGE, "blog-post.yaml"),
                         "--format", "xml")
    assert code == 2


def test_internal_error_is_one_line_exit_4(capsys, monkeypatch):
    import rights_check.api as api

    def boom(*a, **k):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(api, "evaluate", boom)
    monkeypatch.delenv("RIGHTS_CHECK_DEBUG", raising=False)
    code, out, err = run(capsys, "check", "--caption", "NO SALES", "--use",
                         os.path.join(USAGE, "blog-post.yaml"))
    assert code == 4 and "internal error" in err and "kaboom" in err and "Traceback" not in err


def test_restrictions_catalogue(capsys):
    code, out, err = run(capsys, "restrictions")
    assert code == 0
    from rights_check.model import RestrictionType
    for t in RestrictionType:
        assert str(t) in out
    code, out, err = run(capsys, "restrictions", "no_commercial")
    assert code == 0 and "How it is judged" in out
    code, out, err = run(capsys, "restrictions", "no_such_type")
    assert code == 2 and "no_commercial" in err


def test_template_is_a_valid_manifest(capsys, tmp_path):
    code, out, err = run(capsys, "template")
    assert code == 0
    path = tmp_path / "usage.yaml"
    path.write_text(out, encoding="utf-8")
    from rights_check import load_usage
    load_usage(str(path))


def test_help_documents_exit_codes(capsys):
    code, out, err = run(capsys, "check", "--help")
    assert code == 0
    assert "needs review" in out and "internal error" in out


def test_module_entry_point_and_huge_input_in_a_subprocess(tmp_path):
    # a 2 MB caption built to trip backtracking patterns: must finish (the timeout fails it)
    chunk = "NO " * 50 + "may not be used in " + "commercial, " * 40 + "a" * 200 + "\n"
    big = tmp_path / "big.txt"
    big.write_text(chunk * (2_000_000 // len(chunk)), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "rights_check", "check", str(big), "--use",
                           os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--format", "json"],
                          capture_output=True, timeout=120, cwd=ROOT)
    doc = json.loads(proc.stdout)
    assert doc["summary"]["inputs"] == 1 and doc["summary"]["errors"] == 0
    assert proc.returncode in (0, 1, 3)


def _command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "rights_check", *argv]


def test_the_command_skips_teardown_but_not_its_output(tmp_path, seed_file, capsys):
    # run() ends with os._exit: standard output must be flushed before, and -o in place
    manifest = os.path.join(USAGE, "company-advertisement.yaml")
    code, expected, _ = run(capsys, "check", seed_file, "--use", manifest)
    proc = subprocess.run(_command("check", seed_file, "--use", manifest), capture_output=True,
                          timeout=120, cwd=ROOT)
    assert (proc.returncode, proc.stdout.decode("utf-8")) == (code, expected) == (1, expected)
    target = tmp_path / "report.json"
    proc = subprocess.run(_command("check", seed_file, "--use", manifest, "--format", "json",
                                   "-o", str(target)), capture_output=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and proc.stdout == b""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["violation"] == 1


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_gone_is_exit_2_without_a_traceback(seed_file, unbuffered):
    # the pipe is closed before the command writes: unbuffered, the first write fails (click
    # exits 1 on EPIPE, "violation", unless caught); buffered, the text waits in the buffer
    # for the flush before the command's os._exit
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen(_command("check", seed_file, "--use",
                                     os.path.join(USAGE, "newspaper-editorial-web.yaml")),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 2
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_a_closed_standard_output_is_a_usage_error_unless_o_is_given(seed_file, tmp_path):
    manifest = os.path.join(USAGE, "newspaper-editorial-web.yaml")
    closed = subprocess.run(_command("check", seed_file, "--use", manifest), stdout=None,
                            stderr=subprocess.PIPE, timeout=120, cwd=ROOT,
                            preexec_fn=lambda: os.close(1))  # the child starts without fd 1
    err = closed.stderr.decode("utf-8")
    assert closed.returncode == 2 and "standard output is closed" in err and "Traceback" not in err
    target = tmp_path / "out.txt"
    written = subprocess.run(_command("check", seed_file, "--use", manifest, "-o", str(target)),
                             stdout=None, stderr=subprocess.PIPE, timeout=120, cwd=ROOT,
                             preexec_fn=lambda: os.close(1))
    assert written.returncode == 0 and "ok" in target.read_text(encoding="utf-8")


def test_click_shell_completion_still_exits_0():
    # click exits by itself here too; only its closed-pipe exit (1) is mapped to 2
    proc = subprocess.run(_command(), capture_output=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "_RIGHTS_CHECK_COMPLETE": "bash_source"})
    assert proc.returncode == 0 and b"_rights_check_completion" in proc.stdout


# Made up for these tests: the first bytes of formats rights-check does not read, each
# followed by text a caption reader could mistake for restrictions.
OTHER_FORMATS = {
    "a GIF image": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;NO SALES",
    "a BMP image": b"BM\x42\x40\x00\x00\x00\x00\x00\x00NO SALES",
    "a Photoshop document (PSD)": b"8BPS\x00\x01\x00\x00\x00\x00\x00\x00NO SALES",
    "a PDF document": b"%PDF-1.7\n% EDITORIAL USE ONLY\n",
    "a PostScript or EPS file": b"%!PS-Adobe-3.0 EPSF-3.0\n%%Copyright: All Rights Reserved\n",
    "a Netpbm image": b"P6\n# NO SALES\n2 2\n255\n",
}


@pytest.mark.parametrize("what", sorted(OTHER_FORMATS))
@pytest.mark.parametrize("command", ["check", "read"])
def test_an_image_format_not_read_is_named_never_taken_for_caption_text(capsys, tmp_path, what, command):
    path = tmp_path / "photo.txt"  # the name does not matter: the content is sniffed
    path.write_bytes(OTHER_FORMATS[what])
    extra = ["--use", os.path.join(USAGE, "newspaper-editorial-web.yaml")] if command == "check" else []
    code, out, err = run(capsys, command, str(path), *extra, "--format", "jsonl")
    assert code == 2
    assert json.loads(out)["error"] == (f"{path}: {what}, a format rights-check does not read "
                                        "(it reads JPEG, TIFF, PNG, WebP, HEIF/AVIF and XMP)")


@pytest.mark.parametrize("data,message", [
    (b"NO SALES\x00\x00\x01", "not caption text: a NUL byte at offset 8 (binary content)"),
    (b"\x00\x00\x10\x00NO SALES", "not caption text: a NUL byte at offset 0 (binary content)"),
    ("NO SALES".encode("utf-16"), "not UTF-8 text: UTF-16 (byte-order mark at offset 0); save the caption as UTF-8"),
    (b"\xff\xfe\x01\x00\x02\x00", "not UTF-8 text: invalid byte 0xff at offset 0"),  # binary, not UTF-16
    (b"\xef\xbb\xbfNO SALES \xff", "not UTF-8 text: invalid byte 0xff at offset 12"),
])
def test_binary_or_non_utf8_content_is_not_caption_text(capsys, tmp_path, data, message):
    path = tmp_path / "caption.txt"
    path.write_bytes(data)
    code, out, err = run(capsys, "check", str(path), "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"),
                         "--format", "jsonl")
    assert code == 2 and json.loads(out)["error"] == f"{path}: {message}"


def test_control_characters_from_a_file_stay_escaped_on_one_line(capsys, tmp_path):
    # made up: a HEIF whose second box (type "x\n\x1b[") claims more bytes than the file has
    path = tmp_path / "cut.heic"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x01\x00x\n\x1b[")
    code, out, err = run(capsys, "read", str(path))
    assert code == 2
    assert err == f"error: {path}: file ends inside the x\\x0a\\x1b[ box at offset 24\n"
