"""rights_check.distributed: an audit on a real (local, multi-process) Dask cluster gives, part
after part, exactly the lines ``rights-check check … --format jsonl`` prints for the same inputs."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("dask.distributed")

import dask.bag as db  # noqa: E402

from rights_check import load_usage  # noqa: E402
from rights_check.batch import Item, Job, Skipped, process  # noqa: E402
from rights_check.distributed import _Checker, audit_bag, bag_of_paths, bag_of_records, read_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES = os.path.join(ROOT, "fixtures", "images")
MANIFEST = os.path.join(ROOT, "fixtures", "usage", "newspaper-editorial-web.yaml")
PHOTOS = ["IPTC-PhotometadataRef-Std2024.1.jpg", "iptc-staff-photographer-example.jpg", "mushroom.jpg",
          "sunrise.png"]
with open(os.path.join(ROOT, "fixtures", "captions", "seed.txt"), encoding="utf-8") as _f:
    SEED = _f.read()


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Real photos, a caption text file, broken files, a FIFO and a symlink loop."""
    folder = tmp_path_factory.mktemp("archive")
    (folder / "wire").mkdir()
    for i, name in enumerate(PHOTOS):
        shutil.copy(os.path.join(IMAGES, name), folder / ("wire" if i % 2 else ".") / name)
    (folder / "caption.txt").write_text(SEED, encoding="utf-8")
    with open(os.path.join(IMAGES, "mushroom.jpg"), "rb") as f:
        (folder / "wire" / "broken.jpg").write_bytes(f.read(300))  # a JPEG cut off in its header
    (folder / "notes.txt").write_bytes(b"\xff\xfe\x00garbage \x80\x81")  # neither image nor UTF-8
    os.mkfifo(folder / "wire" / "pipe")
    os.symlink(folder, folder / "wire" / "loop")
    return folder


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rights_check", "check", *args, "--format", "jsonl",
                           "--jobs", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)


def part_lines(paths: list[str]) -> list[str]:
    lines = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        assert text == "" or text.endswith("\n")
        lines += text.splitlines(keepends=True)
    return lines


def test_folder_audit_matches_the_cli(client, archive, tmp_path):
    skipped: list[Skipped] = []
    bag = bag_of_paths(str(archive), npartitions=3, skipped=skipped)
    paths = audit_bag(bag, MANIFEST, str(tmp_path / "out"))

    assert [os.path.basename(p) for p in paths] == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    expected = cli(str(archive), "--use", MANIFEST)
    assert expected.stdout.count("\n") == len(PHOTOS) + 3
    assert part_lines(paths) == expected.stdout.splitlines(keepends=True)
    assert sorted(s.source for s in skipped) == sorted([str(archive / "wire" / "loop"), str(archive / "wire" / "pipe")])
    assert all(s.source in expected.stderr for s in skipped)  # the CLI skips the same entries

    results = list(read_results(paths))
    broken = [r for r in results if r["source"].endswith("broken.jpg")]
    assert len(broken) == 1 and set(broken[0]) == {"source", "error"}
    assert {r.get("verdict") for r in results} >= {"ok", "violation"}

    with pytest.raises(FileExistsError):
        audit_bag(bag, MANIFEST, str(tmp_path / "out"))
    assert audit_bag(bag_of_paths(str(archive / "wire"), npartitions=1), MANIFEST, str(tmp_path / "out"),
                     overwrite=True) == [str(tmp_path / "out" / "part-00000.jsonl")]
    assert sorted(os.listdir(tmp_path / "out")) == ["part-00000.jsonl"]  # the old parts are gone


def test_records_audit_matches_the_cli(client, archive, tmp_path):
    good = [
        {"id": 1, "caption": SEED},
        {"id": "p-2", "path": str(archive / PHOTOS[0])},
        {"id": 3, "path": str(archive / "wire" / "broken.jpg")},
        {"id": 4, "caption": SEED, "usage": {"purpose": "advertising", "commercial": True, "advertising": True}},
        {"id": 5, "path": str(archive / "wire" / PHOTOS[1])},
    ]
    records = tmp_path / "records.jsonl"
    with open(records, "wb") as f:
        for record in good[:3]:
            f.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        f.write(b"{not json\n\n")
        f.write(b'{"caption": "no id"}\n')
        f.write(b'{"id": 9, "caption": "caf\xe9"}\n')  # Latin-1, not UTF-8
        f.write(b'{"id": 10, "caption": "x", "usage": {"purpose": "nonsense"}}\n')
        for record in good[3:]:
            f.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")

    paths = audit_bag(bag_of_records(str(records), npartitions=2), MANIFEST, str(tmp_path / "out"))
    expected = cli("--records", str(records), "--use", MANIFEST).stdout.splitlines(keepends=True)
    assert len(expected) == 9
    assert len(paths) == 2 and part_lines(paths) == expected
    results = list(read_results(paths))
    assert [r.get("id") for r in results] == [1, "p-2", 3, None, None, None, 10, 4, 5]  # line 6 is not UTF-8: no id read
    assert "error" in results[2] and results[3]["error"].startswith(f"{records}:4:")

    # plain record dicts (from a database, say) give the same lines as the same records' file
    bag = db.from_sequence(good, npartitions=2)
    lines = part_lines(audit_bag(bag, MANIFEST, str(tmp_path / "dicts")))
    assert lines == expected[:3] + expected[-2:]


def test_the_job_pickles():
    job = Job("check", usage=load_usage(MANIFEST), timeout=60)
    assert pickle.loads(pickle.dumps(job)) == job


def test_the_time_limit_holds_in_a_worker_thread():
    """Dask runs tasks off the main thread, where process() cannot use SIGALRM."""
    def spin(item, result):
        if item.name == "slow":
            end = time.monotonic() + 10
            while time.monotonic() < end:
                pass

    job = Job("check", usage=load_usage(MANIFEST), timeout=0.3, extras=(spin,))
    items = [Item(name="ok", text=SEED), Item(name="slow", text=SEED, record_id=7), Item(name="ok", text=SEED)]
    out: list = []

    def work():
        with _Checker(job) as check:
            out.extend(check(item) for item in items)
            time.sleep(0.5)  # nothing stray lands afterwards
            out.append("done")

    started = time.monotonic()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert out[1] == {"id": 7, "source": "slow", "error": "slow: gave up after 0.3 s (the --timeout per input)"}
    assert out[0] == out[2] == process(Job("check", usage=job.usage), items[0]) and out[3] == "done"


def test_missing_dask_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(ImportError, match=r"rights-check\[dask\]"):
        bag_of_paths(IMAGES)
