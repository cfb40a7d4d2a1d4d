"""Throughput and start-up benchmark, each figure a ratio to a baseline timed in the same run.

    python benchmarks/run.py [--rounds 5] [--starts 15]

- parse+check: captions per second over the labelled caption corpus (fixtures/captions), per
  stage (segmentation, extraction, field pulling, evaluation), against one stock seeded
  ``langdetect.detect()`` call per caption. Target: at most 0.35 of the langdetect time.
- cold start: ``rights-check --help`` in a new process against bare ``python -c pass``.
  Target: under 150 ms over bare Python.
- images: ``rights-check check`` over the fixture JPEGs copied to 1,000 files, one process,
  against ``exiftool -j`` over the same files (target: at most a tenth of its time), and the
  peak memory of reading a 50 MB TIFF against a small one (target: the same).

The machines are noisy: every figure is the median of several rounds, and only the ratios
are meant to be compared between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def throughput(rounds: int) -> dict:
    import langdetect

    from rights_check.caption import _pull_fields, parse_caption
    from rights_check.evaluate import evaluate
    from rights_check.extract import find_restrictions
    from rights_check.segment import segment
    from rights_check.usage import load_usage

    corpus = os.path.join(ROOT, "fixtures", "captions", "captions.jsonl")
    texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8") if line.strip()]
    usage = load_usage(os.path.join(ROOT, "fixtures", "usage", "newspaper-editorial-web.yaml"))

    def stock():
        langdetect.DetectorFactory.seed = 0
        for t in texts:
            try:
                langdetect.detect(t)
            except langdetect.LangDetectException:
                pass

    def full():
        for t in texts:
            evaluate(parse_caption(t), usage)

    parsed = [parse_caption(t) for t in texts]  # warm-up: loads phrases and the detector

    def seg():
        for t in texts:
            segment(t)

    def extract():
        for c in parsed:
            find_restrictions(c.texts, c.segments)

    def pull():
        for c in parsed:
            _pull_fields(c.texts)

    def judge():
        for c in parsed:
            evaluate(c, usage)

    stock()  # warm-up: langdetect loads its profiles on first use
    n = len(texts)
    base = _median_time(stock, rounds)
    result = {"captions": n, "rounds": rounds, "langdetect_per_caption_ms": base / n * 1e3}
    total = _median_time(full, rounds)
    result["parse_check"] = {"captions_per_s": n / total, "ms_per_caption": total / n * 1e3,
                             "ratio_to_langdetect": total / base}
    for name, fn in (("segment", seg), ("extract", extract), ("fields", pull), ("evaluate", judge)):
        t = _median_time(fn, rounds)
        result[name] = {"captions_per_s": n / t, "ratio_to_langdetect": t / base}
    return result


def cold_start(starts: int) -> dict:
    exe = os.path.join(os.path.dirname(sys.executable), "rights-check")
    cmd = [exe, "--help"] if os.path.exists(exe) else [sys.executable, "-m", "rights_check", "--help"]

    def run(argv):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t

    bare, tool = [], []
    for _ in range(starts):  # interleaved, so load changes hit both alike
        bare.append(run([sys.executable, "-c", "pass"]))
        tool.append(run(cmd))
    b, t = statistics.median(bare), statistics.median(tool)
    return {"command": " ".join(os.path.basename(c) for c in cmd), "bare_python_ms": b * 1e3,
            "rights_check_help_ms": t * 1e3, "over_bare_ms": (t - b) * 1e3, "ratio_to_bare": t / b}


def byte_compile() -> None:
    """Byte-compile the package the command will import, as ``pip install`` does: from an
    editable install with PYTHONDONTWRITEBYTECODE set (as on these machines) every start would
    otherwise compile each module from source."""
    import compileall

    import rights_check

    compileall.compile_dir(os.path.dirname(rights_check.__file__), quiet=1)


def _cli() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "rights-check")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "rights_check"]


_MEASURE = ("import os, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "usage = os.wait4(p.pid, 0)[2]\n"
            "print(time.perf_counter() - t, usage.ru_maxrss)\n")


def _run_rss(argv: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one process. It is started from a small interpreter: a
    child forked from this (large) process would report this process's pages as its peak."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def images(count: int, repeat: int = 3) -> dict:
    """``rights-check check`` over the fixture JPEGs copied to ``count`` files, one whole
    command, against ``exiftool -j`` over the same files (when ExifTool is installed); the
    commands take turns for ``repeat`` rounds, and each one's best run counts."""
    import shutil
    import tempfile

    from rights_check.batch import default_jobs

    source = os.path.join(ROOT, "fixtures", "images")
    jpegs = sorted(f for f in os.listdir(source) if f.lower().endswith(".jpg"))
    manifest = os.path.join(ROOT, "fixtures", "usage", "newspaper-editorial-web.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "photos")
        os.mkdir(folder)
        for i in range(count):
            name = jpegs[i % len(jpegs)]
            shutil.copy(os.path.join(source, name), os.path.join(folder, f"{i:05d}-{name}"))
        os.sync()  # the copies' write-back must not land in a timed run
        command = _cli() + ["check", folder, "--use", manifest, "--format", "jsonl"]
        exiftool = shutil.which("exiftool")
        commands = {"ours": command, "one": command + ["--jobs", "1"]}  # ours: the default --jobs
        if exiftool:
            commands["theirs"] = [exiftool, "-j", folder]
        for argv in commands.values():
            _run_rss(argv)  # untimed: the files and the programs in the page cache
        # `repeat` rounds, each running every command once, and the best of each counts: the
        # machine's speed drifts (a spell when the second core is slow would otherwise fall on
        # one command's runs only)
        times: dict[str, list] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, argv in commands.items():
                times[name].append(_run_rss(argv))
        best = {name: min(runs) for name, runs in times.items()}
        ours, one = best["ours"], best["one"]
        result: dict = {"files": count, "jobs": default_jobs(), "repeat": repeat, "rights_check_s": ours[0],
                        "rights_check_files_per_s": count / ours[0], "rights_check_jobs1_s": one[0]}
        if exiftool:
            theirs = best["theirs"]
            result.update({"exiftool_s": theirs[0], "ratio_to_exiftool": ours[0] / theirs[0],
                           "ratio_jobs1_to_exiftool": one[0] / theirs[0]})
        # memory against file size: a small TIFF and a 50 MB one, each read in a new process
        from PIL import Image

        small, large = os.path.join(tmp, "small.tif"), os.path.join(tmp, "large.tif")
        Image.new("RGB", (64, 64)).save(small)
        Image.new("RGB", (4100, 4100)).save(large)  # about 50 MB of pixels
        rss_small = _run_rss(_cli() + ["read", small, "--format", "json"])[1]
        rss_large = _run_rss(_cli() + ["read", large, "--format", "json"])[1]
        result.update({"large_tiff_mb": os.path.getsize(large) / 1e6, "rss_small_tiff_mb": rss_small,
                       "rss_large_tiff_mb": rss_large, "rss_ratio_large_to_small": rss_large / rss_small})
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="rights-check benchmark (ratios to same-run baselines)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--starts", type=int, default=15)
    ap.add_argument("--images", type=int, default=1000, help="image files for the batch run (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each image command; the best counts")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    byte_compile()
    result = {"throughput": throughput(args.rounds), "cold_start": cold_start(args.starts)}
    if args.images:
        result["images"] = images(args.images, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    tp, cs = result["throughput"], result["cold_start"]
    print(f"corpus: {tp['captions']} captions, median of {tp['rounds']} rounds")
    print(f"baseline  stock langdetect.detect(): {tp['langdetect_per_caption_ms']:.3f} ms/caption")
    pc = tp["parse_check"]
    print(f"parse+check: {pc['captions_per_s']:8.0f} captions/s  {pc['ms_per_caption']:.3f} ms/caption  "
          f"ratio {pc['ratio_to_langdetect']:.3f} of langdetect (target <= 0.35)")
    for stage in ("segment", "extract", "fields", "evaluate"):
        s = tp[stage]
        print(f"  {stage:9}  {s['captions_per_s']:8.0f} captions/s  ratio {s['ratio_to_langdetect']:.3f}")
    print(f"cold start: {cs['command']} {cs['rights_check_help_ms']:.1f} ms, bare python "
          f"{cs['bare_python_ms']:.1f} ms: +{cs['over_bare_ms']:.1f} ms over bare "
          f"(ratio {cs['ratio_to_bare']:.2f}; target < +150 ms)")
    im = result.get("images")
    if im:
        line = (f"images (best of {im['repeat']} interleaved rounds): rights-check check over {im['files']} JPEGs (--jobs {im['jobs']}, the default): "
                f"{im['rights_check_s']:.2f} s ({im['rights_check_files_per_s']:.0f} files/s); "
                f"--jobs 1 {im['rights_check_jobs1_s']:.2f} s")
        if "exiftool_s" in im:
            line += (f"; exiftool -j {im['exiftool_s']:.2f} s: ratio {im['ratio_to_exiftool']:.3f} "
                     f"(target <= 0.1; --jobs 1: {im['ratio_jobs1_to_exiftool']:.3f})")
        else:
            line += "; exiftool not installed, no ratio"
        print(line)
        print(f"memory: read of a {im['large_tiff_mb']:.0f} MB TIFF peaks at {im['rss_large_tiff_mb']:.1f} MB RSS, "
              f"a 64x64 TIFF at {im['rss_small_tiff_mb']:.1f} MB (ratio {im['rss_ratio_large_to_small']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
