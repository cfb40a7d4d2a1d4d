"""Dates and times as captions write them, in the seven supported languages.

``find_dates`` returns every date in a text with its span and ISO 8601 value; ``parse_when``
turns the words of an embargo or expiry ("UNTIL 0900 GMT Feb 9, 2018", "12월 29일 0시") into an
ISO 8601 date-time (with an offset only when the text names a zone).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .regexcache import module_pattern

MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}

ZONES = {"gmt": "+00:00", "utc": "+00:00", "z": "+00:00", "kst": "+09:00", "jst": "+09:00",
         "est": "-05:00", "edt": "-04:00", "cst": "-06:00", "cdt": "-05:00", "pst": "-08:00",
         "pdt": "-07:00", "cet": "+01:00", "cest": "+02:00", "bst": "+01:00", "mez": "+01:00",
         "mesz": "+02:00", "hkt": "+08:00"}

# (kind, regex, gate): a pattern runs only when its gate says the text can hold its date
_DATE_PATTERNS = [
    # 2018-02-09, 2018.02.09, 2018/2/9 (not part of a longer number)
    # (the look-behind after "19|20" is the usual "not after a digit or dot", placed so that the
    # pattern starts with a literal and the engine skips ahead)
    ("ymd", module_pattern(r"(?P<y>(?:19|20)(?<![\d.]\d\d)\d\d)\s*[-./]\s*(?P<m>[01]?\d)\s*[-./]\s*(?P<d>[0-3]?\d)(?![\d])"),
     "numeric"),
    # 09.02.2018 (German numeric dates, day first)
    ("dmy", module_pattern(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?![\d])"),
     "dotted"),
    # 2018년 2월 9일, 2018年2月9日, 2018 年 2 月 9 日
    ("ymd", module_pattern(r"(?P<y>(?:19|20)\d\d)\s*[년年]\s*(?P<m>[01]?\d)\s*[월月]\s*(?P<d>[0-3]?\d)\s*[일日]"),
     "cjk"),
    # 2월 9일, 2月9日 (year from context)
    ("md", module_pattern(r"(?<![\d년年])(?P<m>[01]?\d)\s*[월月]\s*(?P<d>[0-3]?\d)\s*[일日]"), "cjk"),
    # February 9, 2018 / Feb. 9 2018 / February 9
    # (a word of 3-10 letters stands for the month; the MONTHS table decides, which is much
    # cheaper than a 60-way alternation tried at every position)
    ("mdy", module_pattern(r"\b(?P<mon>[^\W\d_]{3,10})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?", re.I),
     "month"),
    # 9 February 2018 / 9. Februar 2018 / 9 de febrero de 2018 / le 9 février 2018
    ("dmy", module_pattern(r"\b(?P<d>[0-3]?\d)(?:er|\.)?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,10})\.?(?:\s+(?:de\s+)?(?P<y>(?:19|20)\d\d))?\b", re.I),
     "month"),
]


@dataclass(frozen=True, slots=True)
class FoundDate:
    start: int
    end: int
    text: str
    iso: str
    """YYYY-MM-DD, or --MM-DD when the text gives no year."""


def _valid(y: int | None, m: int, d: int) -> bool:
    try:
        date(y or 2000, m, d)
    except ValueError:
        return False
    return True


_DIGIT = module_pattern(r"\d")
_CJK_DATE = module_pattern(r"[월月]")
_DOTTED_DATE = module_pattern(r"\d\.[01]?\d\.(?:19|20)\d\d")
_MONTH_WORD = module_pattern(r"[^\W\d_]{3,10}")


def find_dates(text: str) -> list[FoundDate]:
    """Every date in ``text``, left to right, without overlaps."""
    found: list[FoundDate] = []
    if _DIGIT.search(text) is None:
        return found  # every pattern needs a digit
    gates = {"numeric": True, "cjk": _CJK_DATE.search(text) is not None,
             "dotted": _DOTTED_DATE.search(text) is not None,
             "month": not MONTHS.keys().isdisjoint(_MONTH_WORD.findall(text.lower()))}
    starts: list[int] = []  # taken spans, sorted and disjoint: one bisect per overlap test
    ends: list[int] = []
    for kind, rx, gate in _DATE_PATTERNS:
        if not gates[gate]:
            continue
        for m in rx.finditer(text):
            i = bisect.bisect_right(starts, m.start())
            if (i and ends[i - 1] > m.start()) or (i < len(starts) and starts[i] < m.end()):
                continue
            g = m.groupdict()
            if g.get("mon") and g["mon"].lower() not in MONTHS:
                continue
            month = MONTHS[g["mon"].lower()] if g.get("mon") else int(g["m"])
            day = int(g["d"])
            year = int(g["y"]) if g.get("y") else None
            if not _valid(year, month, day):
                continue
            iso = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
            found.append(FoundDate(m.start(), m.end(), m.group(), iso))
            starts.insert(i, m.start())
            ends.insert(i, m.end())
    found.sort(key=lambda f: f.start)
    return found


_ISO_DATETIME = module_pattern(r"(?:19|20)\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?::[0-5]\d)?(?:Z|[+-][0-2]\d:?[0-5]\d)?")
_TIME = module_pattern(
    r"(?:(?P<h>[012]?\d)[:.h](?P<mi>[0-5]\d)(?:\s*(?P<ap>[ap])\.?m\.?)?"
    r"|(?P<h2>[012]\d)(?P<mi2>[0-5]\d)(?=\s*(?:hrs?|h\b|GMT|UTC|KST|JST|ET|[A-Z]{3}\b))"
    r"|(?P<h3>[01]?\d)\s*(?P<ap3>[ap])\.?m\.?"
    r"|(?P<h5>[012]?\d)(?::(?P<mi5>[0-5]\d))?\s*Uhr"
    r"|(?P<h4>[012]?\d)\s*[시時时点點](?:\s*(?P<mi4>[0-5]?\d)\s*[분分])?)", re.I)
# Korean and Japanese name the half of the day before the hour: 오후 3시, 午後3時
_HALF_DAY = module_pattern(r"(오전|午前|上午|새벽|아침|오후|午後|下午|晚上|낮|저녁|밤)\s*$")
_PM = ("오후", "午後", "下午", "晚上", "낮", "저녁", "밤")
_ZONE = module_pattern(r"\b(" + "|".join(ZONES) + r")\b|(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d\d))?", re.I)


def parse_when(text: str, *, default_year: int | None = None, default_offset: str | None = None) -> str | None:
    """The date-time ``text`` names, as ISO 8601, or None when it names no full date.

    A clock time without a zone gives a local time without offset (evaluation then treats a
    close call as needing review); ``default_offset`` applies a known zone, e.g. KST for a
    Korean notice.
    """
    iso = _ISO_DATETIME.search(text)
    if iso:
        value = iso.group().replace("Z", "+00:00")
        try:
            return datetime.fromisoformat(value).isoformat()
        except ValueError:
            pass
    dates = find_dates(text)
    if not dates:
        return None
    if default_year is None:  # "2025년 12월 28일 … 29일 0시": the year written once serves both
        default_year = next((int(d.iso[:4]) for d in dates if not d.iso.startswith("--")), None)
    d = dates[0]
    iso = d.iso
    if iso.startswith("--"):
        if default_year is None:
            return None
        iso = f"{default_year:04d}{iso[1:]}"
    rest = text
    t = _TIME.search(rest[: d.start] + " " * (d.end - d.start) + rest[d.end:])
    if not t:
        return iso
    g = t.groupdict()
    hour = int(g["h"] or g["h2"] or g["h3"] or g["h4"] or g["h5"])
    minute = int(g["mi"] or g["mi2"] or g["mi4"] or g["mi5"] or 0)
    ap = (g["ap"] or g["ap3"] or "").lower()
    if ap == "p" and hour < 12:
        hour += 12
    if ap == "a" and hour == 12:
        hour = 0
    half = _HALF_DAY.search(text[max(0, t.start() - 4):t.start()])
    if half:
        if half.group(1) in _PM and hour < 12:
            hour += 12
        elif half.group(1) not in _PM and hour == 12:
            hour = 0
    if hour > 24:
        return iso
    if hour == 24:  # "24시": midnight at the end of the day, so 00:00 the next day
        iso = (date.fromisoformat(iso) + timedelta(days=1)).isoformat()
        hour = 0
    out = f"{iso}T{hour:02d}:{minute:02d}:00"
    z = _ZONE.search(text)
    if z:
        if z.group(1):
            return out + ZONES[z.group(1).lower()]
        return out + f"{z['sign']}{int(z['oh']):02d}:{z['om'] or '00'}"
    return out + default_offset if default_offset else out
