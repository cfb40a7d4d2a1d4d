"""Pipeline benchmark: a folder of generated photos checked at --jobs 1 and --jobs 2, against
``exiftool -j -r`` over the same folder in the same run (when ExifTool is installed).

    python benchmarks/pipeline.py [--photos 2000] [--large 20000]

The photos are small real JPEGs with varied, realistic metadata: IIM caption, special
instructions, credit and copyright, and an XMP packet, drawn (seeded) from the labelled caption
corpus (all 1,362 texts) and a list of wire instructions. Every caption is unique (each ends
with the photo's number), as in a real feed: nothing is gained from having seen a caption
before, while credit lines and standing instructions repeat as they do on the wire. Figures are ratios measured in
one run: throughput against ExifTool's, the speed-up from 1 to 2 jobs, and peak memory (RSS)
of the whole check as the folder grows from --photos to --large (0 skips the large run; it is
a benchmark, not part of CI).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.run import _cli, _run_rss, byte_compile  # noqa: E402

INSTRUCTIONS = [
    "EDITORIAL USE ONLY. NO SALES. NO ARCHIVES.", "MANDATORY CREDIT", "JAPAN OUT. NO RESALES.",
    "THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY.", "MAGS OUT. TV OUT.", "", "",
    "NO COMMERCIAL OR EDITORIAL SALES IN CHINA", "재판매 및 DB 금지", "HANDOUT - EDITORIAL USE ONLY",
    "EMBARGOED UNTIL 0900 GMT FEBRUARY 9, 2026", "AP CLIENTS ONLY",
]
CREDITS = ["REUTERS", "AP", "Yonhap", "AFP", "EPA", "Getty Images", "Xinhua", "Kyodo", "News1"]


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _iim(datasets: list[tuple[int, int, bytes]]) -> bytes:
    out = b""
    for rec, ds, val in datasets:
        out += bytes([0x1C, rec, ds]) + struct.pack(">H", len(val)) + val
    return out


def _xmp(caption: str, rights: str) -> bytes:
    from xml.sax.saxutils import escape

    packet = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description rdf:about="">'
              f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(caption)}</rdf:li></rdf:Alt>'
              f'</dc:description><dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{escape(rights)}</rdf:li>'
              '</rdf:Alt></dc:rights></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    return _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + packet.encode("utf-8"))


def generate(folder: str, count: int, seed: int = 20261127) -> None:
    """``count`` JPEGs with varied metadata in ``folder`` (deterministic for a seed)."""
    from PIL import Image

    rng = random.Random(seed)
    corpus = os.path.join(ROOT, "fixtures", "captions")
    captions = [json.loads(line)["text"] for name in sorted(os.listdir(corpus)) if name.endswith(".jsonl")
                for line in open(os.path.join(corpus, name), encoding="utf-8") if line.strip()]
    bases = []
    for colour in ((200, 30, 30), (30, 120, 200), (40, 160, 60)):
        buf = io.BytesIO()
        Image.new("RGB", (64, 48), colour).save(buf, "JPEG", quality=70)
        bases.append(buf.getvalue())
    for i in range(count):
        caption = f"{rng.choice(captions)[:1900]} (#{i:06d})"
        credit = rng.choice(CREDITS)
        iim = _iim([(1, 90, b"\x1b%G"), (2, 120, caption.encode("utf-8")[:2000]),
                    (2, 40, rng.choice(INSTRUCTIONS).encode("utf-8")),
                    (2, 110, credit.encode("utf-8")), (2, 116, f"(c) {credit} {2000 + i % 26}".encode())])
        app13 = _segment(0xED, b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" + struct.pack(">I", len(iim)) + iim
                         + (b"\0" if len(iim) % 2 else b""))
        base = bases[i % len(bases)]
        data = base[:2] + app13 + _xmp(caption, f"© {credit}") + base[2:]
        sub = os.path.join(folder, f"{i // 1000:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"photo-{i:06d}.jpg"), "wb") as fh:
            fh.write(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=2000)
    ap.add_argument("--large", type=int, default=0, help="also run on this many photos for the memory curve")
    args = ap.parse_args(argv)
    byte_compile()
    manifest = os.path.join(ROOT, "fixtures", "usage", "newspaper-editorial-web.yaml")
    sizes = [args.photos] + ([args.large] if args.large else [])
    exiftool = shutil.which("exiftool")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            generate(tmp, n)
            os.sync()  # the new files' write-back must not land in a timed run
            made = time.perf_counter() - t
            check = _cli() + ["check", tmp, "--use", manifest, "--format", "jsonl", "--no-progress"]
            one, rss1 = _run_rss(check + ["--jobs", "1"])
            two, rss2 = _run_rss(check + ["--jobs", "2"])
            line = (f"{n} photos (made in {made:.1f} s): --jobs 1 {one:.2f} s ({n / one:.0f}/s, "
                    f"peak {rss1:.0f} MB), --jobs 2 {two:.2f} s ({n / two:.0f}/s, peak {rss2:.0f} MB "
                    f"in the parent); speed-up {one / two:.2f}x")
            if exiftool:
                ref = time.perf_counter()
                subprocess.run([exiftool, "-j", "-r", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ref = time.perf_counter() - ref
                line += (f"; exiftool -j -r {ref:.2f} s ({n / ref:.0f}/s): throughput at --jobs 2 "
                         f"{ref / two:.1f}x ExifTool's (target >= 10x)")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
