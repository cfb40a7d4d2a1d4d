"""The precompiled phrase regexes: exactly what ``re`` compiles, used only where they apply."""

from __future__ import annotations

import re
import zlib
from importlib import resources

from rights_check import regexcache
from rights_check.phrases import load_phrases, runtime_patterns


def _raw() -> bytes:
    return (resources.files("rights_check") / "data" / regexcache.FILE).read_bytes()


def test_cache_holds_every_runtime_pattern():
    cache = regexcache.Cache(_raw())
    assert set(cache.entries) == set(runtime_patterns(load_phrases())), "run: python -m rights_check.phrases"


def test_cache_is_what_re_compiles_here():
    cache = regexcache.Cache(_raw())
    if cache.interpreter != regexcache.interpreter():
        # written by another interpreter: nothing is taken from it
        assert cache.codes is None
        assert all(cache.code(p, f) is None for p, f in list(cache.entries)[:50])
        return
    fresh = zlib.decompress(regexcache.build(runtime_patterns(load_phrases())))
    assert fresh == zlib.decompress(_raw()), "run: python -m rights_check.phrases"
    for pattern, flags in cache.entries:
        assert regexcache.compile_pattern(pattern, flags) == re.compile(pattern, flags), pattern


def test_other_interpreter_or_unknown_pattern_compiles_afresh():
    data = zlib.decompress(_raw())
    size = int.from_bytes(data[:4], "little")
    head = data[4:4 + size].replace(b'"magic": ', b'"magic": 1')  # another SRE version
    other = regexcache.Cache(zlib.compress(len(head).to_bytes(4, "little") + head + data[4 + size:]))
    pattern, flags = next(iter(other.entries))
    assert other.codes is None and other.code(pattern, flags) is None
    assert regexcache.compile_pattern(r"made-up (?P<x>pattern)", re.I).groupindex == {"x": 1}


def test_bad_code_is_refused_and_compiled_afresh(monkeypatch):
    cache = regexcache.Cache(_raw())
    pattern, flags = next(p for p in cache.entries if cache.code(*p) is not None) if cache.codes is not None \
        else next(iter(cache.entries))
    broken = regexcache.Cache(_raw())
    if broken.codes is not None:
        monkeypatch.setattr(broken, "code", lambda p, f: (flags, 0, {}, [999, 999, 999]))
    monkeypatch.setattr(regexcache, "stored", lambda: broken)
    assert regexcache.compile_pattern(pattern, flags) == re.compile(pattern, flags)
