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
