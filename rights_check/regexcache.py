"""The phrase regexes and the modules' own regexes, compiled ahead of time for the interpreter
that wrote them.

``re.compile`` parses a pattern and turns it into SRE code in pure Python: about 0.4 ms per
phrase regex, half a second for all of them, paid again by every process (and every worker
of a batch) for each regex it first needs; a module regex with large Unicode classes costs
milliseconds at import. ``data/phrases.sre.z`` holds the SRE code of each of them (every
phrase regex, and every regex a module makes with ``module_pattern``), written with the phrase
index (``python -m rights_check.phrases``), each packed on its own so that a process unpacks
only what it uses; a process hands a pattern's code to ``_sre.compile`` (a few microseconds),
as ``re`` itself does at the end of its own compile.

The code belongs to one interpreter: the file records the implementation, Python version,
SRE magic number, code-word size, byte order and Unicode range it was made for, and any other
interpreter compiles with ``re`` as usual. ``_sre`` validates the code it is given. A test
checks that every entry is exactly the code ``re`` produces for its pattern.
"""

from __future__ import annotations

import array
import hashlib
import json
import re
import sys
import zlib
from functools import cache
from typing import Any

from .datafiles import data_path, read_data

FILE = "phrases.sre.z"


def interpreter() -> dict[str, Any]:
    """What the SRE code depends on."""
    import _sre

    return {"implementation": sys.implementation.name, "version": list(sys.version_info[:2]),
            "magic": _sre.MAGIC, "codesize": _sre.CODESIZE, "byteorder": sys.byteorder,
            "maxunicode": sys.maxunicode}


def _code(pattern: str, flags: int) -> tuple[int, int, dict[str, int], list[int]]:
    """(flags with the pattern's inline flags, groups, group index, code): ``re._compiler.compile``
    up to its call of ``_sre.compile``."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    return flags | parsed.state.flags, parsed.state.groups - 1, dict(parsed.state.groupdict), list(code)


MAGIC = b"rights-check sre 3\n"


def key(pattern: str, flags: int) -> str:
    """An entry's name: a digest of the pattern and flags (the file need not hold the patterns,
    which the phrase index has; the caller passes its pattern in)."""
    return hashlib.blake2b(f"{int(flags)}\0{pattern}".encode("utf-8"), digest_size=12).hexdigest()


def build(patterns, interpreter_info: dict[str, Any] | None = None) -> bytes:
    """The cache file for ``patterns`` (pairs of pattern and flags) on this interpreter: a
    compressed JSON index, then each pattern's code compressed on its own, so that a process
    unpacks only the code of the regexes it uses."""
    entries = []
    blob = bytearray()
    for pattern, flags in sorted(set(patterns)):
        all_flags, groups, groupindex, code = _code(pattern, flags)
        packed = zlib.compress(array.array("I", code).tobytes(), 9)
        entries.append([key(pattern, flags), all_flags, groups, groupindex, len(blob), len(packed)])
        blob += packed
    head = zlib.compress(json.dumps({"interpreter": interpreter_info or interpreter(), "entries": entries},
                                    ensure_ascii=False, sort_keys=True).encode("utf-8"), 9)
    return MAGIC + len(head).to_bytes(4, "little") + head + bytes(blob)


def write(patterns) -> str:
    path = data_path(FILE)
    with open(path, "wb") as fh:
        fh.write(build(patterns))
    return path


class Cache:
    """A cache file read: its index at once, each entry's code when asked for."""

    def __init__(self, raw: bytes):
        if not raw.startswith(MAGIC):
            raise ValueError("not a rights-check regex cache")
        at = len(MAGIC)
        size = int.from_bytes(raw[at:at + 4], "little")
        head = json.loads(zlib.decompress(raw[at + 4:at + 4 + size]))
        self.interpreter = head["interpreter"]
        self.entries = {e[0]: e[1:] for e in head["entries"]}
        # the packed code of each entry; None when written by another interpreter
        self.codes = memoryview(raw)[at + 4 + size:] if self.interpreter == interpreter() else None

    def code(self, pattern: str, flags: int) -> tuple[int, int, dict[str, int], list[int]] | None:
        """The stored compile of a pattern, or None (not stored, or another interpreter)."""
        if self.codes is None:
            return None
        entry = self.entries.get(key(pattern, flags))
        if entry is None:
            return None
        all_flags, groups, groupindex, start, length = entry
        code = array.array("I")
        try:
            code.frombytes(zlib.decompress(self.codes[start:start + length]))
        except (zlib.error, ValueError):  # a damaged entry: the caller compiles afresh
            return None
        return all_flags, groups, groupindex, code.tolist()


MODULE_PATTERNS: list[tuple[str, int]] = []
"""The module-level regexes compiled through ``module_pattern`` (the cache file holds them too)."""


def module_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A module's own regex, compiled from the cache like a phrase regex: a module with large
    character classes otherwise spends milliseconds at import compiling them."""
    MODULE_PATTERNS.append((pattern, int(flags)))
    return compile_pattern(pattern, flags)


@cache
def stored() -> Cache | None:
    """The bundled cache, or None when it is missing or unreadable."""
    try:
        return Cache(read_data(FILE))
    except (OSError, ValueError, zlib.error):
        return None


def compile_pattern(pattern: str, flags: int) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the stored code when there is one for it."""
    cache_ = stored()
    found = cache_.code(pattern, flags) if cache_ is not None else None
    if found is None:
        return re.compile(pattern, flags)
    import _sre

    all_flags, groups, groupindex, code = found
    indexgroup: list[str | None] = [None] * (groups + 1)
    for name, i in groupindex.items():
        indexgroup[i] = name
    try:
        return _sre.compile(pattern, all_flags, code, groups, groupindex, tuple(indexgroup))
    except (RuntimeError, TypeError, ValueError):  # code _sre does not accept: compile afresh
        return re.compile(pattern, flags)
