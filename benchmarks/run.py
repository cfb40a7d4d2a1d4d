"""Throughput and start-up benchmark, each figure a ratio to a baseline timed in the same run.

    python benchmarks/run.py [--rounds 5] [--starts 15]

- parse+check: captions per second over the labelled caption corpus (fixtures/captions), per
  stage (segmentation, extraction, field pulling, evaluation), against one stock seeded
  ``langdetect.detect()`` call per caption. Target: at most 0.35 of the langdetect time.
- cold start: ``rights-check --help`` in a new process against bare ``python -c pass``.
  Target: under 150 ms over bare Python.

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="rights-check benchmark (ratios to same-run baselines)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--starts", type=int, default=15)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    result = {"throughput": throughput(args.rounds), "cold_start": cold_start(args.starts)}
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
