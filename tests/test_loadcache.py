"""The pickled phrase set and detector tables: exactly what building them gives, used only when
their key matches, and refused (so the data is built) when stale or damaged."""

from __future__ import annotations

import pickle

from rights_check import loadcache, phrases
from rights_check.datafiles import data_path
from rights_check.detector import PICKLE as DETECTOR_PICKLE, LangdetectDetector

_, DIGEST = phrases._phrase_files()


def _index_state(index) -> dict:
    return {k: v for k, v in vars(index).items() if k != "_automaton"}


def test_the_pickled_phrase_set_is_what_the_index_builds():
    pickled = loadcache.read(phrases.PICKLE, phrases.pickle_key(DIGEST))
    assert pickled is not None, "run: python -m rights_check.phrases"
    built = phrases._read_index(DIGEST)
    for name in ("phrases", "ignores", "headings", "items", "languages", "digest", "phrase_parts",
                 "ignore_parts"):
        assert getattr(pickled, name) == getattr(built, name), name
    for name in ("phrase_index", "ignore_index", "all_index"):
        assert _index_state(getattr(pickled, name)) == _index_state(getattr(built, name)), name
    assert phrases.load_phrases().digest == DIGEST


def test_the_pickled_detector_tables_are_what_the_profiles_give():
    detector = LangdetectDetector()
    profiles = detector._profiles()
    pickled = loadcache.read(DETECTOR_PICKLE, detector._pickle_key(profiles))
    assert pickled is not None, "run: python -m rights_check.phrases"
    assert pickled == detector._tables(profiles)


def test_a_key_that_differs_is_not_read(monkeypatch):
    stale = dict(phrases.pickle_key(DIGEST), source="0" * 64)  # the phrase files changed
    assert loadcache.read(phrases.PICKLE, stale) is None
    # the code of a pickled class changed: the pickle is not read, the data is built
    monkeypatch.setattr(loadcache, "code_digest", lambda *modules: "changed")
    assert loadcache.read(phrases.PICKLE, phrases.pickle_key(DIGEST)) is None
    phrases.load_phrases.cache_clear()
    try:
        assert phrases.load_phrases().phrases == phrases._read_index(DIGEST).phrases
    finally:
        phrases.load_phrases.cache_clear()


def test_a_damaged_or_missing_file_is_not_read(tmp_path, monkeypatch):
    with open(data_path(phrases.PICKLE), "rb") as fh:
        raw = fh.read()
    wanted = phrases.pickle_key(DIGEST)
    cut = tmp_path / "cut.pickle"
    cut.write_bytes(raw[: len(raw) // 2])
    junk = tmp_path / "junk.pickle"
    junk.write_bytes(pickle.dumps(wanted) + b"not a pickle")
    monkeypatch.setattr(loadcache, "data_path", lambda name: str(tmp_path / name))
    assert loadcache.read("cut.pickle", wanted) is None
    assert loadcache.read("junk.pickle", wanted) is None
    assert loadcache.read("missing.pickle", wanted) is None


def test_pickled_by_fields_round_trips_and_unpickles_through_init():
    from rights_check.batch import Item

    data = phrases.load_phrases()
    phrase = data.phrases[0]
    assert pickle.loads(pickle.dumps(phrase)) == phrase
    assert pickle.loads(pickle.dumps(phrase.parts[0])) == phrase.parts[0]
    item = Item(name="a.jpg", path="/x/a.jpg", record_id=7, root="/x")
    assert pickle.loads(pickle.dumps(item)) == item
    # a call of the class, not dataclasses' __setstate__ loop
    assert Item.__reduce__(item) == (Item, ("a.jpg", "/x/a.jpg", None, 7, None, None, "/x"))


def test_pickled_by_fields_refuses_a_field_init_does_not_take():
    import dataclasses

    import pytest

    @dataclasses.dataclass(frozen=True)
    class Made:  # made up for this test
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError, match="__init__ argument"):
        loadcache.pickled_by_fields(Made)


def test_gc_paused_restores_the_collector_as_it_was():
    import gc

    assert gc.isenabled()
    with loadcache.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with loadcache.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller had it off: it stays off
    finally:
        gc.enable()
