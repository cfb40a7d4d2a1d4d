"""Which phrase alternatives can match a text, found in one pass instead of one test each.

Every compiled alternative carries anchor groups (see ``phrases.anchors_of``): it can only
match a text that contains a literal of each group. One Aho-Corasick pass (pyahocorasick) over
the case-folded, whitespace-free text tells which literals occur, and an inverted index from
each alternative's most selective group to the alternative gives the candidates. Only
candidates are run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ahocorasick


# --- what literals every match of a regex contains -----------------------------------------



def _is_space(op: Any, av: Any) -> bool:
    """A regex item that can only match whitespace (``\\s``, a space, ``[ \\t]``)."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return chr(av).isspace()
    if op is c.IN:
        return all((o is c.CATEGORY and a in (c.CATEGORY_SPACE, c.CATEGORY_UNI_SPACE))
                   or (o is c.LITERAL and chr(a).isspace()) for o, a in av)
    return False


def _literal_runs(parsed: Any, runs: list[str], current: list[str]) -> None:
    """Collect literal strings that every match of a parsed regex must contain, with
    whitespace left out: they are looked for in the text with its whitespace removed, so
    "editorial\\s+use" gives "editorialuse" and "재\\s*판\\s*매" gives "재판매"."""
    from re import _constants as c  # type: ignore[attr-defined]

    def flush() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, av in parsed:
        if op is c.LITERAL and not chr(av).isspace():
            current.append(chr(av))
        elif _is_space(op, av) or op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # whitespace and zero-width items keep the run going
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and \
                len(av[2]) == 1 and _is_space(*av[2][0]):
            continue
        elif op is c.SUBPATTERN:
            _literal_runs(av[-1], runs, current)
        elif op is c.ATOMIC_GROUP:
            _literal_runs(av, runs, current)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            flush()
            inner: list[str] = []
            _literal_runs(av[2], runs, inner)
            if inner:
                runs.append("".join(inner))
        else:
            flush()
    flush()


def fold(text: str) -> str:
    """Case-fold text for the anchor test so it finds whatever an IGNORECASE regex would
    (dotless and dotted I match 'i' there)."""
    return text.casefold().replace("\u0307", "").replace("\u0131", "i")


def _usable(anchor: str) -> bool:
    # one CJK character is selective enough; one Latin letter is not
    return len(anchor) >= 2 or (bool(anchor) and not anchor.isascii())


def _longest(parsed: Any, flags: int) -> str:
    runs: list[str] = []
    _literal_runs(parsed, runs, [])
    best = fold(max(runs, key=len, default=""))
    return best if _usable(best) else ""


def _branches(parsed: Any, flags: int, out: list[tuple[str, ...]]) -> None:
    """For each alternation every match passes through: one literal per alternative."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in parsed:
        if op is c.BRANCH:
            anchors = []
            for alt in av[1]:
                inner: list[tuple[str, ...]] = []
                _branches(alt, flags, inner)
                single = _longest(alt, flags)
                # an alternative is covered by its own literal, or by a nested alternation
                options = [(single,)] if single else []
                options += [t for t in inner if all(t)]
                if not options:
                    break
                anchors.append(max(options, key=lambda t: min(len(a) for a in t)))
            else:
                out.append(tuple(dict.fromkeys(a for t in anchors for a in t)))
        elif op is c.SUBPATTERN:
            _branches(av[-1], flags, out)


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex source ("a|(b|c)|d" -> a, (b|c), d)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                i += 1 if pattern[i + 1] == "]" else 2
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def anchors_of(pattern: str, flags: int) -> tuple[tuple[str, ...], ...]:
    """Groups of literals: every match contains at least one literal of every group.

    A required literal is a group of one; a required alternation gives a group with one
    literal per alternative. The most selective four groups are kept; () means always run."""
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    runs: list[str] = []
    _literal_runs(parsed, runs, [])
    runs = [fold(r) for r in runs]
    groups: list[tuple[str, ...]] = [(r,) for r in dict.fromkeys(runs) if _usable(r)]
    _branches(parsed, flags, groups)
    groups.sort(key=lambda g: (-min(len(a) for a in g), len(g)))
    return tuple(dict.fromkeys(groups))[:4]


# --- the index ---------------------------------------------------------------------------

class LiteralFinder:
    """Which of a set of literals a text contains: one Aho-Corasick pass, overlapping
    occurrences included. The automaton is built on first use."""

    def __init__(self, words):
        self.words = sorted(set(words))
        self._automaton = None

    @property
    def automaton(self):
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for w in self.words:
                automaton.add_word(w, w)
            if self.words:
                automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def present(self, hay: str) -> set[str]:
        if not self.words:
            return set()
        return {word for _, word in self.automaton.iter(hay)}


class AnchorIndex(LiteralFinder):
    """Maps a text to the entries (alternatives) whose anchor groups it satisfies."""

    def __init__(self, entries: Sequence[tuple[tuple[str, ...], ...]]):
        self.entries_groups = list(entries)
        self.always: list[int] = []
        self.by_key: dict[str, list[int]] = {}  # literal of an entry's first (most selective) group
        # every distinct group gets a number; a text satisfies a group when it holds one of
        # its literals, so one pass over the found literals settles all groups at once
        group_id: dict[tuple[str, ...], int] = {}
        self.literal_groups: dict[str, list[int]] = {}
        self.rest: list[tuple[int, ...]] = []  # the group numbers after the first, per entry
        for i, groups in enumerate(self.entries_groups):
            if not groups:
                self.always.append(i)
                self.rest.append(())
                continue
            ids = []
            for group in groups:
                gid = group_id.get(group)
                if gid is None:
                    gid = group_id[group] = len(group_id)
                    for literal in group:
                        self.literal_groups.setdefault(literal, []).append(gid)
                ids.append(gid)
            for literal in groups[0]:
                self.by_key.setdefault(literal, []).append(i)
            self.rest.append(tuple(ids[1:]))
        super().__init__(self.literal_groups)

    def candidates(self, hay: str, found: set[str] | None = None) -> list[int]:
        """Indices of the entries whose every anchor group has a literal in ``hay`` (pass
        ``found``, the result of ``present(hay)`` of an index with the same or more literals,
        to share one scan between indexes)."""
        if found is None:
            found = self.present(hay)
        satisfied: set[int] = set()
        for literal in found:
            satisfied.update(self.literal_groups.get(literal, ()))
        out = set(self.always)
        rest = self.rest
        for literal in found:
            for i in self.by_key.get(literal, ()):
                if i not in out and satisfied.issuperset(rest[i]):
                    out.add(i)
        return sorted(out)
