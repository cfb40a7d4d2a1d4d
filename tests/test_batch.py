"""Batches: sorted folder walks, include/exclude, skipped special files, parallel jobs with the
same output, JSON Lines records, per-photo manifests, the per-input time limit, Ctrl-C."""

import json
import os
import shutil

import pytest

from rights_check import batch, cli
from tests.test_cli import run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USAGE = os.path.join(ROOT, "fixtures", "usage")
IMAGES = os.path.join(ROOT, "fixtures", "images")
NEWSPAPER = os.path.join(USAGE, "newspaper-editorial-web.yaml")


@pytest.fixture
def photos(tmp_path):
    """A folder of real fixture images and captions, a broken file, nested folders."""
    folder = tmp_path / "wire"
    (folder / "b").mkdir(parents=True)
    for name in ("IPTC.jpg", "MWG.jpg", "iptc-staff-photographer-example.jpg"):
        shutil.copy(os.path.join(IMAGES, name), folder / name)
    shutil.copy(os.path.join(IMAGES, "1.jpg"), folder / "b" / "one.jpg")
    (folder / "b" / "caption.txt").write_text("EDITORIAL USE ONLY. JAPAN OUT.", encoding="utf-8")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00")  # cut inside a segment
    return folder


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_walk_is_sorted_and_recursive(photos):
    names = [os.path.relpath(i.path, photos) for i in batch.walk(str(photos)) if isinstance(i, batch.Item)]
    assert names == ["IPTC.jpg", "MWG.jpg", os.path.join("b", "caption.txt"), os.path.join("b", "one.jpg"),
                     "broken.jpg", "iptc-staff-photographer-example.jpg"]


def test_include_and_exclude(photos):
    only = [os.path.basename(i.path) for i in batch.walk(str(photos), include=("*.jpg",), exclude=("b/*",))
            if isinstance(i, batch.Item)]
    assert only == ["IPTC.jpg", "MWG.jpg", "broken.jpg", "iptc-staff-photographer-example.jpg"]


def test_fifo_and_symlink_loop_are_skipped_not_followed(photos, capsys):
    os.mkfifo(photos / "pipe.jpg")
    os.symlink(photos, photos / "b" / "loop")
    code, out, err = run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl", "-j", "1")
    assert "skipped" in err and "FIFO" in err and "symlink loop" in err
    assert len(lines(out)) == 6  # the six files, each once
    assert code == 2  # the broken file


@pytest.fixture
def many_photos(photos):
    """The wire folder plus every fixture JPEG: enough inputs for worker processes."""
    extra = photos / "c"
    extra.mkdir()
    for name in sorted(os.listdir(IMAGES)):
        if name.lower().endswith(".jpg"):
            shutil.copy(os.path.join(IMAGES, name), extra / name)
    assert sum(1 for i in batch.walk(str(photos)) if isinstance(i, batch.Item)) >= 2 * batch.SERIAL_BELOW
    return photos


@pytest.mark.parametrize("fmt", ["jsonl", "json", "text"])
def test_output_is_the_same_whatever_the_jobs(many_photos, capsys, fmt, monkeypatch):
    prepared = []
    real = batch.prepare_workers
    monkeypatch.setattr(batch, "prepare_workers", lambda command: (prepared.append(command), real(command)))
    one = run(capsys, "check", str(many_photos), "--use", NEWSPAPER, "--format", fmt, "-j", "1", "--no-color")
    two = run(capsys, "check", str(many_photos), "--use", NEWSPAPER, "--format", fmt, "-j", "2", "--no-color")
    assert prepared == ["check"]  # the second run used worker processes
    assert one == two


def test_a_few_inputs_at_hand_are_checked_without_workers(monkeypatch):
    def no_workers(command):
        raise AssertionError("workers started for a few inputs")
    monkeypatch.setattr(batch, "prepare_workers", no_workers)
    job = batch.Job("parse")
    items = [batch.Item(name=f"t{i}", text="EDITORIAL USE ONLY") for i in range(batch.SERIAL_BELOW - 1)]
    results = list(batch.run(job, items, jobs=2, chunksize=16))
    assert [r["source"] for r in results] == [f"t{i}" for i in range(batch.SERIAL_BELOW - 1)]


def test_a_bad_file_is_an_error_line_and_the_batch_goes_on(photos, capsys):
    code, out, err = run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl", "-j", "2")
    results = lines(out)
    assert [("error" in r) for r in results].count(True) == 1
    assert any(r.get("error", "").startswith(str(photos / "broken.jpg")) for r in results)
    summary = json.loads(err.strip().splitlines()[-1])["summary"]
    assert summary["inputs"] == 6 and summary["errors"] == 1 and code == 2


def test_records_from_stdin(capsys, monkeypatch):
    records = "\n".join([
        json.dumps({"id": 1, "caption": "EDITORIAL USE ONLY. NO SALES."}),
        json.dumps({"id": "b", "path": os.path.join(IMAGES, "IPTC.jpg")}),
        "not json",
        json.dumps({"id": 4, "caption": "NO ARCHIVES", "usage": {"archive": True}}),
        json.dumps({"caption": "no id"}),
    ]).encode()
    code, out, err = run(capsys, "check", "--records", "-", "--use", NEWSPAPER, "--format", "jsonl",
                         "-j", "1", stdin=records, monkeypatch=monkeypatch)
    results = lines(out)
    assert [r.get("id") for r in results] == [1, "b", None, 4, None]
    assert results[0]["verdict"] == "ok" and results[1]["verdict"]
    assert "<stdin>:3" in results[2]["error"] and "no 'id'" in results[4]["error"]
    assert results[3]["verdict"] == "violation"  # the record's own usage: archive true
    assert results[3]["manifest"]["path"] is None and len(results[3]["manifest"]["sha256"]) == 64
    assert code == 2


def test_folder_manifests_apply_only_when_asked(photos, capsys):
    (photos / "b" / "usage.yaml").write_text("archive: true\nresale: true\n", encoding="utf-8")
    (photos / "b" / "caption.txt").write_text("NO ARCHIVES", encoding="utf-8")
    args = ["check", str(photos / "b" / "caption.txt"), "--use", NEWSPAPER, "--format", "jsonl"]
    without = lines(run(capsys, *args)[1])[0]
    assert without["verdict"] == "ok" and without["manifest"]["path"] == NEWSPAPER
    walked = lines(run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl",
                       "--folder-manifests", "--include", "*.txt")[1])[0]
    assert walked["verdict"] == "violation"
    assert walked["manifest"]["path"] == str(photos / "b" / "usage.yaml")
    # a photo's own manifest comes first
    (photos / "b" / "caption.txt.usage.yaml").write_text("archive: false\n", encoding="utf-8")
    own = lines(run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl",
                    "--folder-manifests", "--include", "*.txt")[1])[0]
    assert own["verdict"] == "ok" and own["manifest"]["path"].endswith("caption.txt.usage.yaml")


def test_time_limit_stops_one_input(monkeypatch):
    import time

    real = batch._work

    def slow(job, item):
        if item.text == "slow":
            time.sleep(5)
        return real(job, item)
    monkeypatch.setattr(batch, "_work", slow)
    job = batch.Job("parse", timeout=0.2)
    results = list(batch.run(job, [batch.Item("a", text="slow"), batch.Item("b", text="NO SALES")]))
    assert "gave up after 0.2 s" in results[0]["error"]
    assert results[1]["restrictions"][0]["type"] == "no_resale"


def test_ctrl_c_leaves_complete_lines_and_a_summary(capsys, monkeypatch, tmp_path):
    def items(*a, **k):
        yield batch.Item("one", text="NO SALES")
        yield batch.Item("two", text="NO ARCHIVES")
        raise KeyboardInterrupt
    monkeypatch.setattr(batch, "items_from", items)
    target = tmp_path / "out.jsonl"
    code = cli.main(["check", "--caption", "x", "--use", NEWSPAPER, "--format", "jsonl", "-j", "1",
                     "-o", str(target)])
    out, err = capsys.readouterr()
    done = lines(target.read_text(encoding="utf-8"))
    assert code == 130 and [r["source"] for r in done] == ["one", "two"]
    summary = json.loads(err.strip().splitlines()[-1])["summary"]
    assert summary["interrupted"] is True and summary["inputs"] == 2


def test_progress_bar_only_when_asked_or_on_a_terminal(photos, capsys):
    code, out, err = run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl", "--progress")
    assert "checking" not in err  # fewer inputs than a bar is worth
    code, out, err = run(capsys, "check", str(photos), "--use", NEWSPAPER, "--format", "jsonl")
    assert "checking" not in err  # not a terminal


def test_progress_bar_on_a_long_batch_when_forced(tmp_path, capsys):
    for i in range(25):
        (tmp_path / f"{i:02d}.txt").write_text("NO SALES", encoding="utf-8")
    code, out, err = run(capsys, "check", str(tmp_path), "--use", NEWSPAPER, "--format", "jsonl", "--progress")
    assert "checking" in err and len(lines(out)) == 25
