"""IPTC IIM: dataset walking, character sets, and the caption/rights fields.

``parse_iim(blocks)`` takes the IIM streams of ``Blocks.iptc`` (in file order) and returns, for
each logical field, the value of every block that has it: the first block's sources are named
``iptc:2:120``, the second's ``iptc#2:2:120`` and so on.

Character sets: 1:90 is honoured (``ESC % G`` = UTF-8, the ISO 2022 designations of the
ISO 8859 parts, JIS, KS X 1001 and GB 2312). Without it (or with one we cannot map), valid UTF-8
is UTF-8, and anything else is guessed *by what the decoded text looks like* — CP949 when it
gives mostly common Hangul syllables, Shift_JIS/EUC-JP when it gives kana, GB18030/Big5 when it
gives common Han characters, MacRoman only on evidence, else cp1252 — and each guessed field
gets an ``encoding_guess`` notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Notice

# (record, dataset) -> (logical field, IIM byte limit, label)
TEXT_DATASETS: dict[tuple[int, int], tuple[str, int, str]] = {
    (2, 120): ("caption", 2000, "Caption/Abstract"),
    (2, 105): ("headline", 256, "Headline"),
    (2, 40): ("special_instructions", 256, "Special Instructions"),
    (2, 116): ("copyright", 128, "Copyright Notice"),
    (2, 110): ("credit", 32, "Credit"),
    (2, 115): ("source", 32, "Source"),
    (2, 80): ("byline", 32, "By-line"),
}
REPEATABLE = {(2, 80)}
DATE_DATASETS = {
    # date dataset -> (logical field, time dataset)
    (2, 30): ("release_date", (2, 35)),
    (2, 37): ("expiration_date", (2, 38)),
}
FIELD_ORDER = ["caption", "headline", "special_instructions", "copyright", "credit", "source",
               "byline", "release_date", "expiration_date"]

MAX_DATASET = 16 * 1024 * 1024

CODEC_NAMES = {
    "utf-8": "UTF-8", "cp949": "CP949", "shift_jis": "Shift_JIS", "cp932": "Shift_JIS",
    "euc_jp": "EUC-JP", "gb18030": "GB18030", "big5": "Big5", "cp1252": "cp1252",
    "mac_roman": "MacRoman", "ascii": "ASCII",
}


@dataclass(slots=True)
class IIMResult:
    fields: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Logical field -> [(source name, value)] in block order."""
    notices: list[Notice] = field(default_factory=list)
    charsets: list[str] = field(default_factory=list)
    """Per block: the character set used (``utf-8``, ``cp1252 (guessed)``, …)."""


# --------------------------------------------------------------------------- dataset walking

def walk_datasets(data: bytes) -> tuple[list[tuple[int, int, bytes]], str | None]:
    """The (record, dataset, value) triples of an IIM stream, and a problem description."""
    out: list[tuple[int, int, bytes]] = []
    pos, n = 0, len(data)
    while pos < n:
        if data[pos] != 0x1C:
            if not data[pos:pos + 4096].strip(b"\0 \r\n") and not data[pos:].strip(b"\0 \r\n"):
                return out, None  # trailing padding
            return out, f"unexpected byte 0x{data[pos]:02X} at offset {pos}"
        if pos + 5 > n:
            return out, f"dataset header cut short at offset {pos}"
        rec, ds = data[pos + 1], data[pos + 2]
        ln = (data[pos + 3] << 8) | data[pos + 4]
        pos += 5
        if ln & 0x8000:
            k = ln & 0x7FFF
            if k == 0 or k > 4 or pos + k > n:
                return out, f"bad extended dataset length at offset {pos - 5}"
            ln = int.from_bytes(data[pos:pos + k], "big")
            pos += k
            if ln > MAX_DATASET:
                return out, f"dataset {rec}:{ds} claims {ln} bytes"
        if pos + ln > n:
            out.append((rec, ds, data[pos:]))
            return out, f"dataset {rec}:{ds} cut short ({n - pos} of {ln} bytes)"
        out.append((rec, ds, data[pos:pos + ln]))
        pos += ln
    return out, None


# --------------------------------------------------------------------------- character sets

_ISO8859_FINALS = {
    "A": "cp1252", "B": "iso8859_2", "C": "iso8859_3", "D": "iso8859_4", "F": "iso8859_7",
    "G": "iso8859_6", "H": "iso8859_8", "L": "iso8859_5", "M": "iso8859_9", "V": "iso8859_10",
    "Y": "iso8859_13", "_": "iso8859_14", "b": "iso8859_15", "f": "iso8859_16",
}


def codec_for_1_90(raw: bytes) -> str | None:
    """The codec a 1:90 value declares, or None when it is not one we can map.

    ISO 8859-1 is read as cp1252 (its superset, as ExifTool does)."""
    s = raw.decode("latin-1")
    if re.search("\x1b%(/[GHI]|G)", s):
        return "utf-8"
    m = re.search("\x1b[-./]([A-Za-z_])", s)
    if m and m.group(1) in _ISO8859_FINALS:
        return _ISO8859_FINALS[m.group(1)]
    if re.search(r"\x1b\$\)?C", s):
        return "cp949"
    if re.search(r"\x1b\$\)?A", s):
        return "gb18030"
    if re.search(r"\x1b\$(\)|\(|)?[@BD]|\x1b&@", s):
        return "jis"
    if re.fullmatch(r"(\x1b\(B)+", s):
        return "ascii"
    return None


def decode_cp1252(raw: bytes) -> str:
    """cp1252; the five bytes it leaves undefined (0x81, 0x8D, …) become their Latin-1 characters."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(bytes([c]).decode("cp1252", errors="ignore") or chr(c) for c in raw)


def _try(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def utf8_prefix(raw: bytes, at_limit: bool = False) -> tuple[str, bool] | None:
    """Decode UTF-8: (text, was_cut) or None. When the value fills its byte limit
    (``at_limit``), a multibyte sequence cut at the very end is dropped."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if at_limit and exc.reason == "unexpected end of data" and exc.end == len(raw) and \
                len(raw) - exc.start < 4:
            try:
                return raw[:exc.start].decode("utf-8"), True
            except UnicodeDecodeError:
                return None
        return None


def _is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def _common_hangul(c: str) -> bool:
    """A Hangul syllable of KS X 1001 (the 2,350 in everyday use)."""
    if not _is_hangul(c):
        return False
    try:
        return len(c.encode("euc_kr")) == 2
    except UnicodeEncodeError:
        return False


def _is_kana(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff"


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def _cjk_punct(c: str) -> bool:
    return ("\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e"
            or c in "\u00b7\u2018\u2019\u201c\u201d\u2026\u2015\u2014")


def _gb_common(c: str) -> bool:
    try:
        b = c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _big5_common(c: str) -> bool:
    try:
        b = c.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E


def _ratio(text: str, pred) -> tuple[float, int]:
    high = [c for c in text if ord(c) > 0x7F]
    if not high:
        return 0.0, 0
    hits = sum(1 for c in high if pred(c))
    return hits / len(high), hits


_MAC_PLAUSIBLE_CP1252 = set("‘’“”–—…€•™„‚‹›")


def _macroman_evidence(raw: bytes) -> bool:
    """True when bytes 0x80–0x9F sit inside words where MacRoman gives a letter and cp1252
    does not give a plausible one (e.g. "Tr\\x9fbiger": MacRoman ü, cp1252 Ÿ), or when 0xA8
    ends a word: MacRoman gives the ® of a trade name ("Photoshop\\xa8 4.0"), cp1252 a lone
    spacing diaeresis ¨, which text never uses on its own."""
    mac_hits = cp_hits = 0
    for i, byte in enumerate(raw):
        if byte < 0x80:
            continue
        prev = chr(raw[i - 1]) if i > 0 and raw[i - 1] < 0x80 else ""
        nxt = chr(raw[i + 1]) if i + 1 < len(raw) and raw[i + 1] < 0x80 else ""
        if byte == 0xA8 and prev.isalnum() and not nxt.isalpha() and (nxt or i + 1 == len(raw)):
            mac_hits += 1
            continue
        in_word = prev.isalpha() or nxt.isalpha()
        if not in_word:
            continue
        m = bytes([byte]).decode("mac_roman")
        w = bytes([byte]).decode("cp1252", errors="ignore")
        m_ok = m.isalpha() and (m.islower() or not prev.islower())
        w_ok = bool(w) and ((w.isalpha() and (w.islower() or not prev.islower()))
                            or w in _MAC_PLAUSIBLE_CP1252)
        mac_hits += m_ok
        cp_hits += w_ok
    return mac_hits > cp_hits


def _cjk_char(c: str) -> bool:
    return (_is_hangul(c) or _is_kana(c) or _is_han(c) or "\u3000" <= c <= "\u303f"
            or "\uff01" <= c <= "\uff5e")


# The most frequent Hangul syllables of news text: real Korean is full of them, Chinese GB2312
# bytes misread as CP949 give syllables drawn almost evenly from all of KS X 1001.
_KO_FREQUENT = set(
    "이다는의에하고을를가지한서로기사도리어자대수인국나정시으해일전상게되들없있거내부오적만요"
    "보면주것니원장과동성위경제회라여발생공연미금방우세관년개행실무분중신비통문현소화재선구진"
    "명학아람간결체계까당입계식합물권표산업직설단말점교군북울청조")


def _in_runs(text: str) -> bool:
    """Real CJK text comes in runs; a Latin-1 text misread as CJK gives lone characters
    between ASCII letters ("25\xb0C" read as Big5 is "25蚓")."""
    total = in_runs = run = 0
    for c in text + "\0":
        if ord(c) > 0x7F and _cjk_char(c):
            run += 1
            continue
        total += run
        if run >= 2:
            in_runs += run
        run = 0
    return total >= 2 and in_runs / total >= 0.5


def guess_legacy(raw: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes of unknown charset: (text, codec)."""
    t = _try(raw, "cp949")
    if t is not None and _in_runs(t):
        r, hits = _ratio(t, _common_hangul)
        frequent, _ = _ratio(t, lambda c: c in _KO_FREQUENT)
        if hits and r >= 0.6 and (frequent >= 0.2 or _try(raw, "gb2312") is None):
            return t, "cp949"
    for codec in ("cp932", "euc_jp"):
        t = _try(raw, codec)
        if t is not None and _in_runs(t) and any(_is_kana(c) for c in t):
            r, _ = _ratio(t, lambda c: _is_kana(c) or _is_han(c) or _cjk_punct(c))
            if r >= 0.8:
                return t, "shift_jis" if codec == "cp932" else codec
    best = None
    for codec, common in (("gb18030", _gb_common), ("big5", _big5_common)):
        t = _try(raw, codec)
        if t is None or not _in_runs(t):
            continue
        r, hits = _ratio(t, lambda c: common(c) or _cjk_punct(c))
        r_han, _ = _ratio(t, common)
        if hits and r >= 0.8 and r_han > 0 and (best is None or r > best[0]):
            best = (r, t, codec)
    if best:
        return best[1], best[2]
    if _macroman_evidence(raw):
        return raw.decode("mac_roman"), "mac_roman"
    return decode_cp1252(raw), "cp1252"


def _decode_declared(raw: bytes, codec: str, at_limit: bool) -> tuple[str, bool] | None:
    """Decode with a declared codec: (text, cut at end) or None if the bytes do not fit."""
    if codec == "utf-8":
        return utf8_prefix(raw, at_limit)
    if codec == "ascii":
        t = _try(raw, "ascii")
        return (t, False) if t is not None else None
    if codec == "cp1252":
        return decode_cp1252(raw), False
    if codec == "jis":
        if b"\x1b" in raw:
            t = _try(raw, "iso2022_jp_ext") or _try(raw, "iso2022_jp_2")
        else:
            t = _try(raw, "ascii") or _try(raw, "euc_jp") or _try(raw, "cp932")
        return (t, False) if t is not None else None
    t = _try(raw, codec)
    if t is None and at_limit and codec in ("cp949", "gb18030"):
        # a double-byte character cut at the end
        t2 = _try(raw[:-1], codec)
        if t2 is not None:
            return t2, True
    return (t, False) if t is not None else None


# --------------------------------------------------------------------------- fields

def _iso_date(date: bytes, time: bytes | None) -> str | None:
    d = date.decode("ascii", errors="replace").strip("\0 ")
    if not re.fullmatch(r"\d{8}", d):
        return None
    y, mo, da = d[:4], d[4:6], d[6:8]
    if not (1 <= int(mo) <= 12 and 1 <= int(da) <= 31):
        return None
    out = f"{y}-{mo}-{da}"
    if time is not None:
        t = time.decode("ascii", errors="replace").strip("\0 ")
        m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})(\d{2}))?", t)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60 and int(m.group(3)) < 61:
            out += f"T{m.group(1)}:{m.group(2)}:{m.group(3)}"
            if m.group(4):
                out += f"{m.group(4)}{m.group(5)}:{m.group(6)}"
    return out


def _decode_as(raw: bytes, codec: str) -> str | None:
    if codec == "cp1252":
        return decode_cp1252(raw)
    return _try(raw, codec)


def _decode_value(raw: bytes, at_limit: bool, declared: str | None, declared_raw: bytes | None,
                  guess_codec: str | None, label: str, source: str, fld: str,
                  notices: list[Notice]) -> tuple[str, bool]:
    """Decode one value: (text, cut inside a multibyte character at the end)."""
    if raw.isascii() and not (declared and b"\x1b" in raw):
        return raw.decode("ascii"), False
    if declared:
        got = _decode_declared(raw, declared, at_limit)
        if got is not None:
            return got
    if not declared:
        got = utf8_prefix(raw, at_limit)
        if got is not None:
            return got
        codec = guess_codec or "cp1252"
        text = _decode_as(raw, codec)
        if text is None:
            text, codec = guess_legacy(raw)
        why = ("no character set is declared (1:90)" if declared_raw is None
               else "the declared character set (1:90) is not one we can map")
    else:
        got = utf8_prefix(raw, at_limit)
        if got is not None:
            text, codec = got[0], "utf-8"
        else:
            text, codec = guess_legacy(raw)
        why = "its declared character set (1:90) does not fit the bytes"
    notices.append(Notice(
        "encoding_guess",
        f"IPTC {label} ({source}): {why}; decoded as {CODEC_NAMES.get(codec, codec)}",
        field=fld))
    return text, False


def _prefix(index: int) -> str:
    return "iptc:" if index == 1 else f"iptc#{index}:"


def parse_iim(blocks: list[tuple[str, bytes]]) -> IIMResult:
    """Caption and rights fields of every IIM block (see the module docstring)."""
    res = IIMResult()
    for index, (where, data) in enumerate(blocks, start=1):
        prefix = _prefix(index)
        datasets, problem = walk_datasets(data)
        if problem:
            res.notices.append(Notice("damaged", f"IIM block {prefix.rstrip(':')} ({where}): "
                                      f"{problem}"))
        _parse_block(datasets, prefix, res)
    return res


def _parse_block(datasets: list[tuple[int, int, bytes]], prefix: str, res: IIMResult) -> None:
    declared_raw = next((v for r, d, v in datasets if (r, d) == (1, 90)), None)
    declared = codec_for_1_90(declared_raw) if declared_raw else None

    # the values we decode, NUL-terminated (fixed-width writers pad with NULs)
    texts: list[tuple[tuple[int, int], bytes, bool]] = []  # key, value, filled its limit
    for r, d, v in datasets:
        if (r, d) in TEXT_DATASETS:
            limit = TEXT_DATASETS[(r, d)][1]
            value = v.split(b"\0", 1)[0]
            texts.append(((r, d), value, len(v) == limit and b"\0" not in v))

    # the fallback codec for values that are neither ASCII nor UTF-8 (guessed once per block)
    legacy = [v for _, v, full in texts if not v.isascii() and utf8_prefix(v, full) is None]
    guess_codec = guess_legacy(b"\n".join(legacy))[1] if legacy else None
    charset = declared or (f"{guess_codec} (guessed)" if legacy
                           else "ascii" if all(v.isascii() for _, v, _ in texts) else "utf-8")
    res.charsets.append(charset if declared_raw or legacy or texts else "none")

    seen: set[tuple[int, int]] = set()
    bylines: list[str] = []
    for key, raw, filled in texts:
        fld, limit, label = TEXT_DATASETS[key]
        source = f"{prefix}{key[0]}:{key[1]}"
        text, cut = _decode_value(raw, filled, declared, declared_raw, guess_codec, label, source,
                                  fld, res.notices)
        if filled or cut:
            res.notices.append(Notice(
                "truncated",
                f"IPTC {label} ({source}) fills its {limit}-byte IIM limit"
                + (" and ends inside a multibyte character" if cut else "")
                + "; the value may be cut short",
                field=fld))
        if key in REPEATABLE:
            bylines.append(text)
            continue
        if key in seen:
            continue
        seen.add(key)
        res.fields.setdefault(fld, []).append((source, text))
    if bylines:
        res.fields.setdefault("byline", []).append((f"{prefix}2:80", "; ".join(bylines)))

    values = {(r, d): v for r, d, v in reversed(datasets) if r == 2}  # first one wins
    for key, (fld, tkey) in DATE_DATASETS.items():
        if key not in values:
            continue
        iso = _iso_date(values[key], values.get(tkey))
        source = f"{prefix}{key[0]}:{key[1]}"
        if iso is None:
            raw = values[key].decode("latin-1").strip("\0 ")
            if not raw:
                continue
            res.notices.append(Notice("damaged", f"IPTC date {source} is not CCYYMMDD: {raw!r}",
                                      field=fld))
            iso = raw
        res.fields.setdefault(fld, []).append((source, iso))

    # stable field order
    ordered = {k: res.fields[k] for k in FIELD_ORDER if k in res.fields}
    res.fields.clear()
    res.fields.update(ordered)
