"""Machine-readable rights values → restrictions (contract §1 types).

Read from every source of a field, so a value written only in one block still counts:

* ``data_mining``: PLUS DataMining (``http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-…``) and
  C2PA/CAWG training-and-mining entries (``notAllowed`` / ``constrained``) → ``no_ai_training``
  with a scope: ``all_mining``, ``ai_training``, ``genai_training`` or ``ai_use``;
* ``release_date`` (+ ``release_time``) → ``embargo`` {until, text};
* ``expiration_date`` (+ ``expiration_time``; PLUS LicenseEndDate) → ``expires`` {on, text};
* a Creative Commons URL in ``license_url`` (cc:license) or ``web_statement`` → ``license``
  {id, url} and its parts (marked ``implied_by`` the licence id);
* ``alteration_constraints`` (PLUS AL-* codes) → ``no_manipulation`` {strict: false, forbidden};
* ``model_release_status`` / ``property_release_status`` none or limited → ``third_party_notice``.

Each restriction's evidence quotes the whole machine value: ``Evidence(field, 0, len(value),
value, "und", "machine:<what>")``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import Evidence, Restriction, RestrictionType, freeze
from ..regexcache import module_pattern
from ..values import license_id, license_parts
from .record import FieldSource

PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"

DATA_MINING_SCOPE = {
    "DMI-PROHIBITED": "all_mining",
    "DMI-PROHIBITED-AIMLTRAINING": "ai_training",
    "DMI-PROHIBITED-GENAIMLTRAINING": "genai_training",
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": "all_mining",
    "DMI-PROHIBITED-ALLEXCEPTSEARCHENGINEINDEXING": "all_mining",  # a spelling seen in notes
    # "prohibited, the details are elsewhere": the prohibition is certain, its extent is not
    "DMI-PROHIBITED-SEECONSTRAINT": "all_mining",
    "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR": "all_mining",
    "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR": "all_mining",
}
"""PLUS Data Mining codes that prohibit something (DMI-UNSPECIFIED and DMI-ALLOWED do not)."""

C2PA_SCOPE = {
    "data_mining": "all_mining",
    "ai_training": "ai_training",
    "ai_generative_training": "genai_training",
    "ai_inference": "ai_use",
}
"""C2PA/CAWG training-mining entry (after the ``c2pa.``/``cawg.`` prefix) → scope."""

ALTERATION_EDITS = {
    "AL-CRP": "crop",
    "AL-FLP": "flip",
    "AL-RET": "retouch",
    "AL-CLR": "colorize",
    "AL-DCL": "grayscale",
    "AL-MRG": "composite",
    "AL-SZE": "resize",  # not in PLUS LDF 1.2.x; accepted if a writer uses it
}

RELEASE_NOTICE = {"MR-NON", "MR-LMR", "PR-NON", "PR-LPR"}

PLUS_LABELS = {
    # ExifTool's print conversions (lib/Image/ExifTool/PLUS.pm) and IPTC's labels for DataMining
    "DMI-UNSPECIFIED": "Unspecified - no prohibition defined",
    "DMI-ALLOWED": "Allowed",
    "DMI-PROHIBITED-AIMLTRAINING": "Prohibited for AI/ML training",
    "DMI-PROHIBITED-GENAIMLTRAINING": "Prohibited for Generative AI/ML training",
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": "Prohibited except for search engine indexing",
    "DMI-PROHIBITED": "Prohibited",
    "DMI-PROHIBITED-SEECONSTRAINT": "Prohibited, see plus:OtherConstraints",
    "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR": "Prohibited, see iptcExt:EmbdEncRightsExpr",
    "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR": "Prohibited, see iptcExt:LinkedEncRightsExpr",
    "IF-MFN": "Maintain File Name", "IF-MID": "Maintain ID in File Name",
    "IF-MMD": "Maintain Metadata", "IF-MFT": "Maintain File Type",
    "AL-CRP": "No Cropping", "AL-FLP": "No Flipping", "AL-RET": "No Retouching",
    "AL-CLR": "No Colorization", "AL-DCL": "No De-Colorization", "AL-MRG": "No Merging",
    "DP-NDC": "No Duplication Constraints", "DP-LIC": "Duplication Only as Necessary Under License",
    "DP-NOD": "No Duplication",
    "MR-NON": "None", "MR-NAP": "Not Applicable", "MR-UMR": "Unlimited Model Releases",
    "MR-LMR": "Limited or Incomplete Model Releases",
    "PR-NON": "None", "PR-NAP": "Not Applicable", "PR-UPR": "Unlimited Property Releases",
    "PR-LPR": "Limited or Incomplete Property Releases",
    "AG-UNK": "Age Unknown", "AG-A25": "Age 25 or Over", "AG-A24": "Age 24", "AG-A23": "Age 23",
    "AG-A22": "Age 22", "AG-A21": "Age 21", "AG-A20": "Age 20", "AG-A19": "Age 19",
    "AG-A18": "Age 18", "AG-A17": "Age 17", "AG-A16": "Age 16", "AG-A15": "Age 15",
    "AG-U14": "Age 14 or Under",
    "CR-NRQ": "Not Required", "CR-COI": "Credit on Image", "CR-CAI": "Credit Adjacent To Image",
    "CR-CCA": "Credit in Credits Area",
    "CW-NRQ": "Not Required", "CW-AWR": "Adult Content Warning Required", "CW-UNK": "Unknown",
    "TY-PHO": "Photographic Image", "TY-ILL": "Illustrated Image",
    "TY-MCI": "Multimedia or Composited Image", "TY-VID": "Video", "TY-OTR": "Other",
    "FF-JPG": "JPEG Interchange Formats (JPG, JIF, JFIF)", "FF-TIF": "Tagged Image File Format (TIFF)",
    "FF-GIF": "Graphics Interchange Format (GIF)", "FF-RAW": "Proprietary RAW Image Format",
    "FF-DNG": "Digital Negative (DNG)", "FF-EPS": "Encapsulated PostScript (EPS)",
    "FF-BMP": "Windows Bitmap (BMP)", "FF-PSD": "Photoshop Document (PSD)",
    "FF-PIC": "Macintosh Picture (PICT)", "FF-PNG": "Portable Network Graphics (PNG)",
    "FF-WMP": "Windows Media Photo (HD Photo)", "FF-OTR": "Other",
    "SZ-U01": "Up to 1 MB", "SZ-U10": "Up to 10 MB", "SZ-U30": "Up to 30 MB",
    "SZ-U50": "Up to 50 MB", "SZ-G50": "Greater than 50 MB",
    "CS-PRO": "Protected", "CS-PUB": "Public Domain", "CS-UNK": "Unknown",
    "RE-REU": "Repeat Use", "RE-NAP": "Not Applicable",
    "work": "Work", "cell": "Cell", "fax": "FAX", "home": "Home", "pager": "Pager",
}
_BY_LABEL = {v.casefold(): k for k, v in PLUS_LABELS.items() if k.startswith("DMI-")}
_PARTS = module_pattern(r";\s*|\s+(?=http)")
_CODE = module_pattern(r"[A-Z]{2,3}-[A-Z0-9-]+")


def plus_codes(value: str) -> list[str]:
    """PLUS vocabulary codes in a value: URIs, bare codes or ExifTool labels, ``; ``-separated."""
    out = []
    for part in _PARTS.split(value):
        part = part.strip()
        if not part:
            continue
        if part.startswith(PLUS_VOCAB):
            out.append(part[len(PLUS_VOCAB):])
        elif _CODE.fullmatch(part):
            out.append(part)
        elif part.casefold() in _BY_LABEL:
            out.append(_BY_LABEL[part.casefold()])
    return out


def plus_label(value: str) -> str:
    """ExifTool's print form of a PLUS vocabulary value (the value itself when unknown)."""
    codes = plus_codes(value)
    if not codes or any(c not in PLUS_LABELS for c in codes):
        return value
    return "; ".join(PLUS_LABELS[c] for c in codes)


# --- dates -----------------------------------------------------------------------------------

_DATE = module_pattern(r"^\s*(\d{4})[-:.]?(\d{2})[-:.]?(\d{2})"
                   r"(?:[T ]?(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_TIME = module_pattern(r"^\s*(\d{2}):?(\d{2})(?::?(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


def iso_datetime(date: str, time: str | None = None) -> str | None:
    """ISO 8601 from an XMP date, an IIM date (CCYYMMDD) or ExifTool's ``YYYY:MM:DD``, with an
    optional IIM time (HHMMSS±HHMM). None when it does not look like a date."""
    m = _DATE.match(date or "")
    if not m:
        return None
    y, mo, d, hh, mi, ss, tz = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    if hh is None and time:
        t = _TIME.match(time)
        if t:
            hh, mi, ss, tz = t.group(1), t.group(2), t.group(3), t.group(4) or tz
    out = f"{y}-{mo}-{d}"
    if hh is not None:
        out += f"T{hh}:{mi}:{ss or '00'}"
        if tz:
            out += "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
    return out


# --- building restrictions -------------------------------------------------------------------

def _ev(field: str, value: str, what: str) -> Evidence:
    return Evidence(field=field, start=0, end=len(value), text=value, lang="und", phrase=f"machine:{what}")


class _Collector:
    def __init__(self) -> None:
        self.items: dict[tuple[str, Any, tuple[str, ...]], list[Evidence]] = {}
        self.values: dict[tuple[str, Any, tuple[str, ...]], Any] = {}

    def add(self, type_: str, value: dict[str, Any] | None, ev: Evidence, implied_by: tuple[str, ...] = ()) -> None:
        key = (type_, _key(value), implied_by)
        evs = self.items.setdefault(key, [])
        self.values.setdefault(key, value)
        if ev not in evs:
            evs.append(ev)

    def result(self) -> tuple[Restriction, ...]:
        return tuple(Restriction(RestrictionType(t), freeze(self.values[(t, k, imp)]), tuple(evs), imp)
                     for (t, k, imp), evs in self.items.items())


def _key(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_key(v) for v in value)
    return value


def _family(source: str) -> str:
    return source.split(":", 1)[0]


def machine_restrictions(sources: Iterable[FieldSource | tuple[str, str, str]]) -> tuple[Restriction, ...]:
    """Restrictions stated by the machine-readable values among ``sources``."""
    srcs = [s if type(s) is FieldSource else FieldSource(*s) for s in sources if s[2] is not None]
    out = _Collector()
    by_field: dict[str, list[FieldSource]] = {}
    for s in srcs:
        by_field.setdefault(s.field, []).append(s)
    attribution = next((s.value.strip() for s in by_field.get("attribution_name", []) if s.value.strip()), None)

    for s in by_field.get("data_mining", []):
        value = s.value.strip()
        if _family(s.source) == "c2pa":
            entry = s.source.rsplit(":", 1)[-1].split(".", 1)[-1]
            scope = C2PA_SCOPE.get(entry)
            if scope and value in ("notAllowed", "constrained"):
                out.add("no_ai_training", {"scope": scope},
                        _ev("data_mining", value, f"c2pa-{entry}-{value}"))
            continue
        for code in plus_codes(value):
            scope = DATA_MINING_SCOPE.get(code)
            if scope:
                out.add("no_ai_training", {"scope": scope}, _ev("data_mining", value, code))

    for field, time_field, type_, key, what in (
            ("release_date", "release_time", "embargo", "until", "release-date"),
            ("expiration_date", "expiration_time", "expires", "on", "expiration-date")):
        times = {_family(t.source): t.value for t in by_field.get(time_field, [])}
        for s in by_field.get(field, []):
            if not s.value.strip():
                continue
            time = times.get(_family(s.source))
            when = iso_datetime(s.value, time)
            text = s.value.strip() + (f" {time.strip()}" if time and when and "T" in when else "")
            src = "plus-license-end" if s.source.startswith(("xmp", "sidecar")) and "plus:" in s.source else what
            out.add(type_, {key: when, "text": text}, _ev(field, s.value, src))

    for field in ("license_url", "web_statement"):
        for s in by_field.get(field, []):
            url = s.value.strip()
            if "creativecommons.org/" not in url.lower():
                continue
            lid = license_id(url)
            if not lid:
                continue
            ev = _ev(field, s.value, f"cc-url:{lid}")
            out.add("license", {"id": lid, "url": url}, ev)
            for part in license_parts(lid):
                value = {"credit": attribution} if part == "mandatory_credit" and attribution else None
                out.add(part, value, ev, (lid,))

    for s in by_field.get("alteration_constraints", []):
        forbidden = []
        for code in plus_codes(s.value):
            edit = ALTERATION_EDITS.get(code)
            if edit and edit not in forbidden:
                forbidden.append(edit)
        if forbidden:
            out.add("no_manipulation", {"strict": False, "forbidden": forbidden},
                    _ev("alteration_constraints", s.value, "plus-alteration-constraints"))

    for field, label in (("model_release_status", "model"), ("property_release_status", "property")):
        for s in by_field.get(field, []):
            for code in plus_codes(s.value):
                if code in RELEASE_NOTICE:
                    text = f"{PLUS_LABELS[code]} ({label} release status {code})"
                    if code.endswith("NON"):
                        text = f"No {label} release ({code})"
                    out.add("third_party_notice", {"text": text}, _ev(field, s.value, code))
    return out.result()
