"""Turn the words a phrase captured into contract values: territories, media, edits, licences.

Each resolver returns ``None`` when the words do not name anything it knows; a phrase whose
required value resolves to nothing is dropped (so "WORKERS WALK OUT" is no territory).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from typing import Any

from .datafiles import read_data
from .dates import parse_when
from .regexcache import module_pattern

_SPLIT = module_pattern(r"\s*(?:,|/|;|&|\+|、|·|・|\band\b|\bor\b|\bet\b|\bund\b|\by\b|및|과|와|및|や|及び|および|または|又は|或者|或|和|与|與)\s*", re.I)
_STRIP = " \t\r\n.,;:'\"“”‘’()[]{}<>【】「」『』（）-–—*※"
_KEY_SPACE = module_pattern(r"[\s.]+")
_NAME_SPLIT = module_pattern(r"\s*(?:,|/|;|&|\band\b|\bor\b)\s*")
_KOGL_NAME = module_pattern(r"korea open government licen[cs]e")
_KOGL_TYPE = module_pattern(r"(?:kogl|공공누리|korea open government licen[cs]e)[^0-9]{0,12}?(?:type\s*|제\s*)?([0-4])"
                            r"|제\s*([1-4])\s*유형|([1-4])\s*유형")
_KOGL_NC = module_pattern(r"상업(?:용|적)?\s*(?:이용\s*)?금지|commercial use prohibit|non-?commercial")
_KOGL_ND = module_pattern(r"변경\s*금지|change prohibit|no (?:change|modification)")
_CC0 = module_pattern(r"\bcc0\b|cc\s?zero|publicdomain/zero")
_PUBLIC_DOMAIN = module_pattern(r"public domain|domaine public|gemeinfrei|dominio público|퍼블릭\s*도메인|"
                                r"パブリック・?ドメイン|公有领域|公有領域|公共领域|公共領域")
_CC_SIGN = module_pattern(r"\bcc\b|creative\s*commons|\bby\b|attribution|namensnennung|paternit|reconocimiento|"
                          r"atribuci|저작자\s*표시|表示|署名|姓名标示|姓名標示|出典|知识共享|知識共享|创作共用|創作共用")


TABLES = "tables.json"
"""Parsed copies of the TOML tables below, each with the SHA-256 of its source (written with
the phrase index by ``python -m rights_check.phrases``): JSON loads in a tenth of the time
TOML parses, and every check starts by reading the territory table."""
TABLE_FILES = ("territories.toml", "words.toml")


@cache
def _stored_tables() -> dict[str, Any]:
    try:
        return json.loads(read_data(TABLES))
    except (OSError, ValueError):
        return {}


@cache
def _data(name: str) -> dict[str, Any]:
    raw = read_data(name)
    stored = _stored_tables().get(name)
    if isinstance(stored, dict) and stored.get("sha256") == hashlib.sha256(raw).hexdigest():
        return stored["data"]
    import tomllib  # the table changed since tables.json was written (or it is missing)

    return tomllib.loads(raw.decode("utf-8"))


def tables_json() -> str:
    """The content of ``tables.json``, parsed afresh from the TOML files."""
    import tomllib

    doc = {}
    for name in TABLE_FILES:
        raw = read_data(name)
        doc[name] = {"sha256": hashlib.sha256(raw).hexdigest(), "data": tomllib.loads(raw.decode("utf-8"))}
    return json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def _key(name: str) -> str:
    return _KEY_SPACE.sub(" ", name.casefold()).strip(" .")


@cache
def iso_country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (the generated table in territories.toml)."""
    return frozenset(_data("territories.toml")["codes"]["alpha_2"])


@cache
def _territory_names() -> dict[str, str]:
    data = _data("territories.toml")
    table = {_key(k): v for k, v in data["countries"].items()}
    table.update({_key(k): v for k, v in data["names"].items()})
    return table


@cache
def territory_pattern() -> str:
    """A regex alternation of every territory name we know (the ``{TERRITORY}`` placeholder)."""
    names = sorted(_data("territories.toml")["names"].keys() | _data("territories.toml")["countries"].keys(),
                   key=lambda n: (-len(n), n))
    alts = [re.escape(n).replace(r"\ ", r"[\s-]+") for n in names]
    return "(?i:" + "|".join(alts) + r")(?![^\W\d_])"


@cache
def territory_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a territory name ("SOUTH KOREA" -> "KR"), or None."""
    key = _key(name.strip(_STRIP))
    key = key.removeprefix("the ")
    return _territory_names().get(key) if key else None


def territories(words: str) -> tuple[str, ...] | None:
    """Codes of the territories a list names ("CZECH REPUBLIC, SLOVAKIA" -> CZ, SK)."""
    codes: list[str] = []
    for part in _SPLIT.split(words):
        parts = part.split()
        # the longest resolvable tail: "USE ONLY JAPAN" names JAPAN
        for i in range(len(parts)):
            code = territory_code(" ".join(parts[i:]))
            if code is not None:
                if code not in codes:
                    codes.append(code)
                break
    return tuple(codes) or None


def _words(table: str, words: str) -> tuple[str, ...] | None:
    known = {_key(k): v for k, v in _data("words.toml")[table].items()}
    out: list[str] = []
    for part in _SPLIT.split(words):
        for ident in known.get(_key(part.strip(_STRIP)), ()):
            if ident not in out:
                out.append(ident)
    return tuple(out) or None


def media(words: str) -> tuple[str, ...] | None:
    return _words("media", words)


def edits(words: str) -> tuple[str, ...] | None:
    return _words("edits", words)


def parties(words: str) -> tuple[str, ...] | None:
    """The parties a list names ("AP, Reuters or AFP"); a descriptive phrase ("a magazine or
    periodical devoted solely to a single club") stays whole."""
    out = [p.strip(_STRIP) for p in _NAME_SPLIT.split(words)]
    out = [p for p in out if p]
    if any(len(p.split()) > 3 for p in out):
        whole = name(words)
        return (whole,) if whole else None
    return tuple(out) or None


_PAIRS = {")": "(", "]": "[", "）": "（", "】": "【", "」": "「", "』": "『", "”": "“", "’": "‘"}


def name(words: str) -> str | None:
    """Words with surrounding spaces and punctuation trimmed, keeping balanced brackets."""
    cleaned = " ".join(words.split()).strip(_STRIP)
    head = words.lstrip(" \t\r\n")
    if head and head[0] in _PAIRS.values() and cleaned and \
            any(close in cleaned for close, open_ in _PAIRS.items() if open_ == head[0]):
        cleaned = head[0] + cleaned
    tail = words.rstrip(" \t\r\n.,;:")
    if tail and tail[-1] in _PAIRS and _PAIRS[tail[-1]] in cleaned:
        cleaned = cleaned + tail[-1]
    return cleaned or None


# --- licences --------------------------------------------------------------------------------

_CC_PARTS = [
    ("NC", module_pattern(r"\bnc\b|non-?\s?commercial|nicht[\s-]?kommerziell|pas d['’]utilisation commerciale|"
                      r"no\s?comercial|non\s?commerciale|비영리|非営利|非商业|非商業", re.I)),
    ("ND", module_pattern(r"\bnd\b|no\s?deriv|keine\s?bearbeitung|pas de modification|sin\s?obra\s?derivada|sin\s?derivadas|"
                      r"변경\s*금지|改変禁止|禁止演绎|禁止改作|禁止演繹", re.I)),
    ("SA", module_pattern(r"\bsa\b|share\s?-?\s?alike|weitergabe unter gleichen|partage dans les m[eê]mes|"
                      r"compartir\s?igual|동일\s*조건|継承|相同方式共享|相同方式分享", re.I)),
]
_CC_VERSION = module_pattern(r"(?<![\d.])([1-4]\.[015])(?![\d])")
_CC_PORT = module_pattern(r"(?:licenses/[a-z-]+/\d\.\d/|[1-4]\.[015][ -])(igo|[a-z]{2})\b|[1-4]\.[015]\s*(대한민국|한국|日本|中国大陆|中國大陸|台灣|台湾|香港)", re.I)
_PORT_WORDS = {"대한민국": "KR", "한국": "KR", "日本": "JP", "中国大陆": "CN", "中國大陸": "CN", "台灣": "TW",
               "台湾": "TW", "香港": "HK"}
_CC_URL = module_pattern(r"creativecommons\.org/(?:licenses/(?P<code>[a-z-]+)/(?P<ver>\d\.\d)(?:/(?P<port>[a-z]{2}))?"
                     r"|publicdomain/(?P<pd>zero|mark))", re.I)


def license_id(words: str) -> str | None:
    """Normalised id of a licence named in words, code or URL: ``CC-BY-NC-ND-4.0``,
    ``CC0-1.0``, ``KOGL-3``, ``public-domain``."""
    text = words.strip()
    low = text.casefold()
    m = _CC_URL.search(text)
    if m:
        if m["pd"]:
            return "CC0-1.0" if m["pd"].lower() == "zero" else "public-domain"
        parts = [p.upper() for p in m["code"].split("-")]
        if parts[0] != "BY":
            return None
        return "-".join(["CC"] + parts + [m["ver"]] + ([m["port"].upper()] if m["port"] else []))
    low_kogl = "공공누리" in low or "kogl" in low or _KOGL_NAME.search(low)
    kogl = _KOGL_TYPE.search(low)
    if kogl and (low_kogl or "유형" in low):
        n = next(g for g in kogl.groups() if g)
        return f"KOGL-{n}" if n != "0" else "KOGL-0"
    if low_kogl:  # no type number: the listed conditions give it
        nc = _KOGL_NC.search(low)
        nd = _KOGL_ND.search(low)
        return f"KOGL-{1 + bool(nc) + 2 * bool(nd)}"
    if _CC0.search(low):
        return "CC0-1.0"
    if _PUBLIC_DOMAIN.search(low):
        return "public-domain"
    if not _CC_SIGN.search(low):
        return None  # no sign of a Creative Commons licence: do not guess CC BY
    parts = ["BY"] + [code for code, rx in _CC_PARTS if rx.search(text)]
    if "ND" in parts and "SA" in parts:
        # "NoDerivatives" and "ShareAlike" never combine; SA here is a false reading
        parts.remove("SA")
    version = _CC_VERSION.search(text)
    port = _CC_PORT.search(text)
    out = "-".join(["CC"] + parts + ([version.group(1)] if version else []))
    if version and port and port.group(2):
        out += "-" + _PORT_WORDS[port.group(2)]
    elif version and port and port.group(1) and port.group(1).lower() not in ("by", "nc", "nd", "sa"):
        out += "-" + port.group(1).upper()
    return out


def license_parts(license: str) -> tuple[str, ...]:
    """The restriction types a licence id expands into (contract §1 reading rules)."""
    if license.startswith("CC-"):
        codes = license.split("-")[1:]
        out = ["mandatory_credit"] if "BY" in codes else []
        out += [t for code, t in (("NC", "no_commercial"), ("ND", "no_derivatives"),
                                  ("SA", "share_alike")) if code in codes]
        return tuple(out)
    if license.startswith("KOGL-"):
        n = license[5:]
        if n == "0":
            return ()
        out = ["mandatory_credit", "no_endorsement"]
        if n in ("2", "4"):
            out.append("no_commercial")
        if n in ("3", "4"):
            out.append("no_derivatives")
        return tuple(out)
    return ()


RESOLVERS = {
    "territories": territories,
    "media": media,
    "edits": edits,
    "parties": parties,
    "name": name,
    "word": name,
    "license": license_id,
    "url": name,
    "text": name,
    "datetime": parse_when,
}
