"""Split a text into language runs with offsets into the original.

Script decides first (Hangul -> ko, kana -> ja, Han -> zh), so the ko/ja/zh question never
reaches a statistical model. Latin runs are decided by stop-word rules when they are clear, and
only otherwise by a ``LatinDetector`` (langdetect's model restricted to en/fr/de/es, scored
exactly, by default) — once per run, never per clause. The recipe and its measurements are in
shared/design/langdetect.md.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Mapping

from .detector import LATIN_LANGUAGES, LangdetectDetector, LatinDetector, default_detector
from .model import Segment
from .regexcache import module_pattern

__all__ = ["segment", "decide_by_rules", "rule_scores", "SegmentLangs", "URL_HINT", "DETECT_SAMPLE",
           "LATIN_LANGUAGES", "LatinDetector", "LangdetectDetector", "default_detector"]

DETECT_SAMPLE = 150  # characters of a run given to the statistical detector


# --- simple rules for Latin runs ---------------------------------------------------------

_STOPWORDS = {
    "en": """the of and to in is for on with by at from this that be are was were not may any use
        used only no all or as it its an must should will has have credit rights reserved
        editorial sales out mandatory handout image images photo photograph photographs news
        without permission courtesy their his her during after before who which into over
        under mags archives resales permitted prohibited strictly commercial you your we our
        they their there here what when where how why one new year years""",
    "fr": """le la les des du de un une et est pour dans sur avec par au aux ce cette qui que pas
        ne sont tous toute droits réservés utilisation interdite été lors son sa ses leur
        reproduction photographie crédit mention obligatoire sans autorisation nom auteur
        avec musée""",
    "de": """der die das und ist nicht mit von zu den dem des für auf im ein eine einer bei nur
        alle rechte vorbehalten verwendung bild foto sich wird werden nach aus oder zur zum
        honorarfrei nutzung veröffentlichung quelle bildquelle symbolbild archivbild
        nachrichtenagentur über""",
    "es": """el la los las de del y en un una por para con que es se su sus no uso solo sólo
        todos derechos reservados foto imagen al como está prohibida reproducción autor""",
}
_STOP = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_HINTS = (("es", module_pattern(r"[ñ¿¡]"), 3.0), ("de", module_pattern(r"ß"), 3.0),
          ("de", module_pattern(r"[äöüÄÖÜ]"), 2.0), ("fr", module_pattern(r"[çàèêëîïôùûœÇÀÈÊ]"), 2.0),
          ("es", module_pattern(r"[áíóúÁÍÓÚ]"), 2.0))
_WORD = module_pattern(r"[^\W\d_]+(?:'[^\W\d_]+)?")


_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOP.items():
    for _w in _words:
        _WORD_LANGS[_w] = _WORD_LANGS.get(_w, ()) + (_lang,)


_ANY_HINT = module_pattern("|".join(rx.pattern for _, rx, _ in _HINTS))
_STOP_WORDS = frozenset(_WORD_LANGS)
_IS_STOP_WORD = _STOP_WORDS.__contains__


def _word_scores(text: str) -> dict[str, float]:
    """Stop words of each language in ``text`` (counted once per distinct word, then weighted
    by how often it occurs: the per-word loop runs over the few stop words, not every word)."""
    scores = dict.fromkeys(_STOP, 0.0)
    counts = Counter(filter(_IS_STOP_WORD, _WORD.findall(text.lower())))
    for w, n in counts.items():
        for lang in _WORD_LANGS[w]:
            scores[lang] += n
    return scores


def _hints(text: str) -> tuple[int, ...]:
    """Which accent hints ``text`` shows (indexes into _HINTS)."""
    if _ANY_HINT.search(text) is None:  # most texts have no accent at all: one search
        return ()
    return tuple(i for i, (_, rx, _) in enumerate(_HINTS) if rx.search(text))


def _with_hints(scores: dict[str, float], hints) -> dict[str, float]:
    for i in hints:
        lang, _, weight = _HINTS[i]
        scores[lang] += weight
    return scores


def rule_scores(text: str) -> dict[str, float]:
    return _with_hints(_word_scores(text), _hints(text))


def decide_by_rules(text: str, scores: dict[str, float] | None = None) -> str | None:
    """The language stop words and accents make plain, or None when they do not (``scores``:
    ``rule_scores(text)`` when already at hand)."""
    if scores is None:
        scores = rule_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 2 and top >= 2 * second:
        return best
    if top >= 1 and second == 0:
        return best  # one sign and none against ("Photo: Jane Doe, Unsplash")
    return None


# --- script runs -------------------------------------------------------------------------

_URLISH = module_pattern(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|"
    r"gov|edu|kr|jp|cn|de|fr|es|uk|go\.kr|or\.kr|co\.kr|tw|hk|io|int)\b(?:/\S*)?", re.I)
# every address _URLISH masks contains one of these: most captions skip the costly mask
URL_HINT = module_pattern(r"://|www\.|@|\.(?:com|org|net|gov|edu|kr|jp|cn|de|fr|es|uk|tw|hk|io|int)\b", re.I)
_CLAUSE_BREAK = module_pattern(
    r"\n|[。！？；;|｜/／()（）\[\]「」【】<>〈〉《》]| [-–—] |-{3,}| (?<=[^\W\d_]{3}[.!?] )(?=[A-Z])")
_SCRIPTS = {
    "ko": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "ja": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005",
    "latin": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
}
_NEUTRAL = "[^" + "".join(_SCRIPTS.values()) + "]"
# A run of one script with the neutral characters inside it (the two classes are disjoint, so
# this never backtracks); searched one clause at a time.
_RUNS_PATTERN = "|".join(f"(?P<{name}>[{chars}]+(?:{_NEUTRAL}*[{chars}]+)*)" for name, chars in _SCRIPTS.items())
_RUNS = module_pattern(_RUNS_PATTERN)


class _Run:
    __slots__ = ("start", "end", "script", "lang", "method", "clause", "words")

    def __init__(self, start: int, end: int, script: str, clause: int, words: int):
        self.start, self.end, self.script, self.clause = start, end, script, clause
        self.lang: str | None = None
        self.method = "script"
        self.words = words


def _letter_runs(text: str) -> list[_Run]:
    """Maximal runs of one script inside a clause; neutral characters stay inside a run."""
    masked = _URLISH.sub(lambda m: " " * len(m.group()), text) if URL_HINT.search(text) else text
    runs: list[_Run] = []
    start = 0
    clause = 0
    for brk in [*_CLAUSE_BREAK.finditer(masked), None]:
        end = brk.start() if brk is not None else len(masked)
        for m in _RUNS.finditer(masked, start, end):
            script = m.lastgroup or "latin"
            # only "fewer than two words" matters: stop counting at two
            words = 0
            if script == "latin":
                first = _WORD.search(masked, m.start(), m.end())
                if first is not None:
                    words = 1 if _WORD.search(masked, first.end(), m.end()) is None else 2
            runs.append(_Run(m.start(), m.end(), script, clause, words))
        if brk is not None:
            start = brk.end()
            clause += 1
    return runs


NAME_LIMIT = 300
_SCRIPT_OF_PATTERN = f"(?P<ko>[{_SCRIPTS['ko']}])|(?P<ja>[{_SCRIPTS['ja']}])|(?P<zh>[{_SCRIPTS['han']}])"
_SCRIPT_OF = module_pattern(_SCRIPT_OF_PATTERN)


def _name_lang(text: str) -> str:
    m = _SCRIPT_OF.search(text)
    if m is None:
        return decide_by_rules(text) or "und"
    if m.lastgroup == "zh" and _SCRIPT_OF.search(text, m.end()) is not None:
        # Han first, then kana or Hangul further on: the later script decides
        later = {g.lastgroup for g in _SCRIPT_OF.finditer(text)}
        return "ja" if "ja" in later else "ko" if "ko" in later else "zh"
    return m.lastgroup or "und"


def _script_neighbours(runs: list[_Run]) -> list[str | None]:
    """For each run, the language of the closest Hangul, kana or Han run (one linear pass
    each way, so long texts stay linear)."""
    out: list[str | None] = [None] * len(runs)
    dist = [0] * len(runs)
    last: _Run | None = None
    for i, r in enumerate(runs):
        if r.script != "latin" and r.lang:
            last = r
        elif last is not None:
            out[i], dist[i] = last.lang, r.start - last.start
    last = None
    for i in range(len(runs) - 1, -1, -1):
        r = runs[i]
        if r.script != "latin" and r.lang:
            last = r
        elif last is not None and (out[i] is None or last.start - r.start < dist[i]):
            out[i] = last.lang
    return out


def segment(text: str, field: str = "caption", *, detector: LatinDetector | None = None,
            statistical: bool = True,
            has_kana: bool | None = None) -> tuple[Segment, ...]:
    """Language segments covering ``text`` (neutral characters join the run before them).

    ``statistical=False`` marks a name field (credit, byline, copyright …): a short one is one
    segment, labelled by its script, or by stop words for Latin script."""
    if not text:
        return ()
    if not statistical and len(text) <= NAME_LIMIT:
        return (Segment(field, 0, len(text), _name_lang(text), "script"),)
    runs = _letter_runs(text)
    if not runs:
        return (Segment(field, 0, len(text), "und", "script"),)
    if has_kana is None:
        has_kana = any(r.script == "ja" for r in runs)
    # CJK scripts: decided by script alone.
    for i, r in enumerate(runs):
        if r.script == "ko":
            r.lang = "ko"
        elif r.script == "ja":
            r.lang = "ja"
        elif r.script == "han":
            near = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs) and runs[j].clause == r.clause]
            if any(n.script == "ja" for n in near) or has_kana:
                r.lang = "ja"
            elif r.end - r.start <= 2 and any(n.script == "ko" for n in near):
                r.lang = "ko"  # 美, 北 in Korean headlines
            elif any(n.script == "ko" for n in near) and r.end - r.start <= 4:
                r.lang = "ko"
            else:
                r.lang = "zh"
    # One Latin word inside a CJK clause (DB, KTV, AP) takes its neighbour's label.
    for i, r in enumerate(runs):
        if r.script != "latin":
            continue
        words = r.words
        near = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)
                and runs[j].clause == r.clause and runs[j].script != "latin"]
        if words <= 1 and near:
            r.lang, r.method = near[0].lang, "neighbour"
    # Pending Latin runs: join short ones to their Latin neighbours, then rules, then detector.
    neighbours = _script_neighbours(runs)
    position = {id(r): i for i, r in enumerate(runs)}
    groups: list[list[_Run]] = []
    prev_index, prev_short = -2, False
    for idx, r in enumerate(runs):
        if r.script != "latin" or r.lang is not None:
            continue
        short = r.words < 2
        if prev_index == idx - 1 and (short or prev_short):
            groups[-1].append(r)
        else:
            groups.append([r])
        prev_index, prev_short = idx, short
    # A run too short to decide by itself follows the language the whole text's Latin
    # words make plain, unless its own words point elsewhere.
    chunks = [" ".join(text[r.start:r.end] for r in g) for g in groups]
    word_scores = [_word_scores(chunk) for chunk in chunks]
    hints = [_hints(chunk) for chunk in chunks]
    overall = None
    if len(groups) > 1:  # the scores of the chunks joined: words add up, each hint counts once
        total = {lang: sum(ws[lang] for ws in word_scores) for lang in _STOP}
        overall = decide_by_rules("", _with_hints(total, sorted(set().union(*hints))))
    decided: list[tuple[list[_Run], str | None, Mapping[str, float] | None]] = []
    for g, chunk, ws, hs in zip(groups, chunks, word_scores, hints):
        scores = _with_hints(ws, hs)
        lang = decide_by_rules(chunk, scores)
        if lang is None and overall is not None and scores[overall] >= max(scores.values()):
            lang = overall
        if lang is None and not any(scores.values()) and len(_WORD.findall(chunk)) <= 3:
            # a few words with no sign of any language (EPA, NTSB, a name): not worth a
            # statistical guess; they take the nearest other-script run's language
            lang = neighbours[position[id(g[0])]] or "und"
            for r in g:
                r.lang, r.method = lang, "neighbour"
        decided.append((g, lang, None))
    detected: dict[str, dict[str, float]] = {}
    for k, (g, lang, _) in enumerate(decided):
        if lang is not None:
            for r in g:
                if r.lang is None:
                    r.lang, r.method = lang, "rules"
            continue
        if not statistical:  # a name field (credit, byline…): not prose worth a model's guess
            for r in g:
                r.lang, r.method = "und", "rules"
            continue
        # the detector needs a sample, not the whole run; identical runs (repeated
        # boilerplate in a long text) are detected once
        chunk = " ".join(text[r.start:r.end] for r in g)[:DETECT_SAMPLE]
        if chunk not in detected:
            detected[chunk] = dict((detector or default_detector())(chunk))
        probs = dict(detected[chunk])
        # continuity prior: an uncertain run follows a confident neighbour
        for j in (k - 1, k + 1):
            if 0 <= j < len(decided) and decided[j][1] is not None:
                probs[decided[j][1]] = probs.get(decided[j][1], 0.0) + 0.15
        best = max(sorted(probs), key=lambda lang: probs[lang]) if probs else "en"
        for r in g:
            r.lang, r.method = best, "detector"
    # Merge neighbours with the same label; neutral text joins the run before it.
    segments: list[list] = []
    for r in runs:
        if segments and segments[-1][2] == r.lang:
            continue
        segments.append([r.start, r.end, r.lang, r.method])
    out = []
    for i, (start, _end, lang, method) in enumerate(segments):
        s = 0 if i == 0 else start
        e = segments[i + 1][0] if i + 1 < len(segments) else len(text)
        out.append(Segment(field, s, e, lang or "und", method))
    return tuple(out)


class SegmentLangs:
    """The language at an offset of one field, by binary search over its segments."""

    def __init__(self, segments: tuple[Segment, ...], field: str):
        self.segments = [seg for seg in segments if seg.field == field]
        self.starts = [seg.start for seg in self.segments]

    def at(self, offset: int) -> str:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and self.segments[i].start <= offset < self.segments[i].end:
            return self.segments[i].lang
        return "und"


DetectorFactory = Callable[[], LatinDetector]
