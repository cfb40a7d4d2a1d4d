"""Comparing our reading with ExifTool's (fixtures/images/exiftool.json), shared by the
IPTC and EXIF tests: every value must agree after normalising whitespace, or be listed with a
reason in exiftool_disagreements.toml; a listed one that now agrees fails too (stale list)."""

import pathlib
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
DISAGREEMENTS = tomllib.loads((HERE / "exiftool_disagreements.toml").read_text(encoding="utf-8"))


def norm(v) -> str:
    if isinstance(v, list):
        v = "; ".join(str(x) for x in v)
    return " ".join(str(v).split())


def listed(group_prefixes: tuple[str, ...]) -> dict:
    return {(d["file"], d["tag"]): d for d in DISAGREEMENTS.get("disagreement", [])
            if d["tag"].split(":")[0].startswith(group_prefixes)}


def assert_agreement(rows, known: dict, min_rows: int, rate: float = 0.98) -> None:
    """``rows``: (file, tag, exiftool's value, ours) for every value either side has."""
    agree, unexplained, stale = 0, [], []
    for name, tag, gold, ours in rows:
        if gold is not None and ours is not None and norm(gold) == norm(ours):
            agree += 1
            if (name, tag) in known:
                stale.append((name, tag))
            continue
        entry = known.get((name, tag))
        if entry is None or norm(entry.get("ours", "")) != norm(ours or "") or \
                norm(entry.get("exiftool", "")) != norm(gold or ""):
            unexplained.append((name, tag, gold, ours))
    assert not unexplained, f"disagreements not listed in exiftool_disagreements.toml: {unexplained}"
    assert not stale, f"listed disagreements that now agree: {stale}"
    assert len(rows) >= min_rows
    assert agree / len(rows) >= rate, f"{agree}/{len(rows)}"


FIXTURES = HERE.parents[1] / "fixtures" / "images"


def gold_images():
    """(file name, ExifTool's record, our blocks) of every fixture image (not the XMP files)."""
    import json

    from rights_check.image.containers import read_blocks

    for rec in json.loads((FIXTURES / "exiftool.json").read_text(encoding="utf-8")):
        if rec["File:FileType"] != "XMP":
            yield rec["SourceFile"], rec, read_blocks(FIXTURES / rec["SourceFile"])
