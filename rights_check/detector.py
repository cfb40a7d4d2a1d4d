"""The statistical detector for Latin-script runs the stop-word rules leave undecided.

``LatinDetector`` is the interface (any callable giving language probabilities); the default,
``LangdetectDetector``, is langdetect's model restricted to en/fr/de/es and scored exactly. The
recipe and its measurements are in shared/design/langdetect.md.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

LATIN_LANGUAGES = ("en", "fr", "de", "es")
PICKLE = "langdetect.pickle"
"""The default languages' tables as loaded, pickled (``loadcache``)."""


class LatinDetector(Protocol):
    """Anything that gives language probabilities for a Latin-script text."""

    def __call__(self, text: str) -> Mapping[str, float]: ...


class LangdetectDetector:
    """langdetect's model with only the en/fr/de/es profiles loaded, scored exactly.

    langdetect estimates the posterior of a naive Bayes model over character n-grams by
    random sampling (seven trials of up to a thousand draws: about 1 ms a call, more for
    short, ambiguous text, and random unless seeded). This detector uses langdetect's own text
    normalisation, n-gram extraction and profiles, and computes that posterior exactly, in
    log space: deterministic, and five to ten times faster. On the 731 single-language Latin
    texts of the caption corpus its answer is seeded langdetect's every time; on the 160 Latin
    fragments of shared/tools/langdetect_bench.py, 159 times."""

    def __init__(self, languages: tuple[str, ...] = LATIN_LANGUAGES):
        self.languages = languages
        self._model = None
        self._lock = threading.Lock()

    def _profiles(self) -> list[str]:
        import os

        from langdetect.detector_factory import PROFILES_DIRECTORY

        texts = []
        for lang in self.languages:
            with open(os.path.join(PROFILES_DIRECTORY, lang), encoding="utf-8") as fh:
                texts.append(fh.read())
        return texts

    def _pickle_key(self, profiles: list[str]) -> dict[str, Any]:
        """The key of the pickled tables (``loadcache``): the profiles, the recipe (this module)."""
        import hashlib

        from . import loadcache

        digest = hashlib.sha256("\0".join(self.languages + tuple(profiles)).encode("utf-8")).hexdigest()
        return loadcache.key(digest, ("detector",))

    def _tables(self, profiles: list[str]) -> tuple[list[str], dict, dict]:
        """(languages, langdetect's n-gram probabilities, their smoothed logarithms)."""
        import math

        from langdetect.detector import Detector
        from langdetect.detector_factory import DetectorFactory

        factory = DetectorFactory()
        factory.load_json_profile(profiles)
        # the smoothing langdetect applies to every n-gram probability (its alpha, unjittered)
        smoothing = Detector.ALPHA_DEFAULT / Detector.BASE_FREQ
        logs = {gram: tuple(math.log(smoothing + p) for p in probs)
                for gram, probs in factory.word_lang_prob_map.items()}
        return list(factory.langlist), factory.word_lang_prob_map, logs

    def _load(self):
        from langdetect.detector_factory import DetectorFactory

        from . import loadcache

        profiles = self._profiles()
        tables = loadcache.read(PICKLE, self._pickle_key(profiles)) if self.languages == LATIN_LANGUAGES else None
        langs, probs, logs = tables or self._tables(profiles)
        factory = DetectorFactory()
        factory.langlist, factory.word_lang_prob_map = langs, probs
        return factory, tuple(langs), logs

    def write_pickle(self) -> str:
        """Write ``data/langdetect.pickle`` (by ``python -m rights_check.phrases``)."""
        from . import loadcache

        profiles = self._profiles()
        return loadcache.write(PICKLE, self._pickle_key(profiles), self._tables(profiles))

    def load(self) -> None:
        """Load the profiles now (a batch does this before forking its workers)."""
        with self._lock:
            if self._model is None:
                self._model = self._load()

    def __call__(self, text: str) -> Mapping[str, float]:
        import math

        self.load()
        factory, langs, logs = self._model
        grams = ngrams(text, logs)  # normalised n-grams found in the profiles
        if not grams:
            return {}
        scores = [math.fsum(column) for column in zip(*map(logs.__getitem__, grams))]
        top = max(scores)
        weights = [math.exp(score - top) for score in scores]
        total = sum(weights)
        return {lang: w / total for lang, w in zip(langs, weights)}


_NORMAL: dict[str, str] = {}  # langdetect's normalisation of each character met so far


def ngrams(text: str, known: Mapping[str, Any]) -> list[str]:
    """The n-grams langdetect's ``Detector.append`` then ``_extract_ngrams`` give for ``text``,
    those in ``known``, in the same order: the same steps (URL and e-mail removal, Vietnamese
    normalisation, runs of spaces cut to one, the 10,000-character limit, ``NGram.normalize``,
    its capital-word rule), with each character's normalisation looked up once instead of
    per occurrence, and the n-gram buffer kept in local variables. A test compares the two on
    the caption corpus and on random text."""
    from langdetect.detector import Detector
    from langdetect.utils.ngram import NGram

    text = Detector.MAIL_RE.sub(" ", Detector.URL_RE.sub(" ", text))
    text = NGram.normalize_vi(text)
    kept = []
    pre = ""
    for ch in text[:10000]:
        if ch != " " or pre != " ":
            kept.append(ch)
        pre = ch
    normal = _NORMAL
    for ch in set(kept) - normal.keys():
        normal[ch] = NGram.normalize(ch)
    out: list[str] = []
    grams = " "
    capital = False
    for ch in map(normal.__getitem__, kept):
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        w = grams[-1:]
        if w != " " and w in known:
            out.append(w)
        if len(grams) >= 2:
            w = grams[-2:]
            if w in known:
                out.append(w)
            if len(grams) >= 3:
                w = grams[-3:]
                if w in known:
                    out.append(w)
    return out


_default_detector: LatinDetector | None = None


def default_detector() -> LatinDetector:
    global _default_detector
    if _default_detector is None:
        _default_detector = LangdetectDetector()
    return _default_detector
