"""Precision and recall of restriction extraction per type on the labelled caption corpus.

    python benchmarks/extraction.py [--lang ko] [--show] [--corpus FILE.jsonl ...]

By default every ``fixtures/captions/*.jsonl`` file is read.

A record's expected types are its labels; a found type counts as a true positive when the label
has it. ``--show`` lists every record with a missed or extra type, and the quote it expected.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from rights_check import parse_caption  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=sorted(glob.glob(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "captions", "*.jsonl"))))
    ap.add_argument("--lang", help="only records whose langs include this code")
    ap.add_argument("--show", action="store_true", help="list the records with errors")
    args = ap.parse_args(argv)
    tp, fp, fn = Counter(), Counter(), Counter()
    records = [json.loads(line) for path in args.corpus for line in open(path, encoding="utf-8") if line.strip()]
    if args.lang:
        records = [r for r in records if args.lang in r["langs"]]
    for rec in records:
        expected = {r["type"]: r for r in rec["restrictions"]}
        caption = parse_caption(rec["text"])
        found = {str(r.type): r for r in caption.restrictions}
        for t in expected.keys() & found.keys():
            tp[t] += 1
        for t in found.keys() - expected.keys():
            fp[t] += 1
        for t in expected.keys() - found.keys():
            fn[t] += 1
        if args.show and (found.keys() != expected.keys()):
            print(f"--- {rec['id']} {rec['langs']}: {rec['text'][:300]!r}")
            for t in sorted(expected.keys() - found.keys()):
                print(f"  MISSED {t}: {expected[t]['quote']!r}")
            for t in sorted(found.keys() - expected.keys()):
                print(f"  EXTRA  {t}: {[e.text for e in found[t].evidence]} {found[t].implied_by}")
    types = sorted(set(tp) | set(fp) | set(fn))
    print(f"{'type':24} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}")
    for t in types:
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 1.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 1.0
        print(f"{t:24} {tp[t]:4} {fp[t]:4} {fn[t]:4} {p:6.2f} {r:6.2f}")
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'ALL':24} {T:4} {F:4} {N:4} {T / max(1, T + F):6.2f} {T / max(1, T + N):6.2f}  ({len(records)} records)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
