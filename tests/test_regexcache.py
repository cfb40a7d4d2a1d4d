"""The precompiled phrase regexes: exactly what ``re`` compiles, used only where they apply."""

from __future__ import annotations

import re
from importlib import resources

from rights_check import regexcache
from rights_check.phrases import load_phrases, runtime_patterns


def _raw() -> bytes:
    return (resources.files("rights_check") / "data" / regexcache.FILE).read_bytes()


def test_cache_holds_every_runtime_pattern():
    cache = regexcache.Cache(_raw())
    wanted = {regexcache.key(p, f) for p, f in runtime_patterns(load_phrases())}
    assert set(cache.entries) == wanted, "run: python -m rights_check.phrases"


def test_cache_is_what_re_compiles_here():
    cache = regexcache.Cache(_raw())
    if cache.interpreter != regexcache.interpreter():
        # written by another interpreter: nothing is taken from it
        assert cache.codes is None
        assert all(cache.code(p, f) is None for p, f in runtime_patterns(load_phrases())[:50])
        return
    # what is stored is exactly what re compiles (Pattern equality compares the code); compared
    # decoded, since another zlib build may pack the same bytes differently
    for pattern, flags in runtime_patterns(load_phrases()):
        assert cache.code(pattern, flags) is not None, pattern
        assert regexcache.compile_pattern(pattern, flags) == re.compile(pattern, flags), pattern


def test_other_interpreter_or_unknown_pattern_compiles_afresh():
    pattern, flags = r"\bNO\s+SALES\b", re.I
    other = regexcache.Cache(regexcache.build([(pattern, flags)],
                                              {**regexcache.interpreter(), "magic": 1}))  # another SRE version
    assert other.codes is None and other.code(pattern, flags) is None
    same = regexcache.Cache(regexcache.build([(pattern, flags)]))
    assert same.code(pattern, flags) is not None
    assert regexcache.compile_pattern(r"made-up (?P<x>pattern)", re.I).groupindex == {"x": 1}


def test_a_file_that_is_no_cache_is_refused():
    import pytest

    with pytest.raises(ValueError):
        regexcache.Cache(b"something else")


def test_bad_code_is_refused_and_compiled_afresh(monkeypatch):
    pattern, flags = r"\bNO\s+SALES\b", re.I
    broken = regexcache.Cache(regexcache.build([(pattern, flags)]))
    monkeypatch.setattr(broken, "code", lambda p, f: (flags, 0, {}, [999, 999, 999]))  # code _sre refuses
    monkeypatch.setattr(regexcache, "stored", lambda: broken)
    assert regexcache.compile_pattern(pattern, flags) == re.compile(pattern, flags)


def test_a_damaged_entry_compiles_afresh(monkeypatch):
    pattern, flags = r"\bNO\s+SALES\b", re.I
    raw = bytearray(regexcache.build([(pattern, flags)]))
    raw[-3:] = b"\xff\xff\xff"  # the end of the entry's packed code
    damaged = regexcache.Cache(bytes(raw))
    assert damaged.code(pattern, flags) is None
    monkeypatch.setattr(regexcache, "stored", lambda: damaged)
    assert regexcache.compile_pattern(pattern, flags) == re.compile(pattern, flags)


def test_every_module_using_module_pattern_is_listed():
    """runtime_patterns imports these modules to collect their regexes for the cache file."""
    import pathlib

    from rights_check.phrases import MODULE_PATTERN_USERS

    package = pathlib.Path(regexcache.__file__).parent
    users = {"." + str(p.relative_to(package).with_suffix("")).replace("/", ".")
             for p in package.rglob("*.py") if "module_pattern(" in p.read_text(encoding="utf-8")}
    assert users - {".regexcache"} == set(MODULE_PATTERN_USERS)
