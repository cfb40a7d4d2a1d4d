"""Which phrase alternatives can match a text, found in one pass instead of one test each.

Every compiled alternative carries anchor groups (see ``phrases.anchors_of``): it can only
match a text that contains a literal of each group. The literals are compiled into trie regexes
(one per first character); one scan of the case-folded, whitespace-free text tells which
literals occur, and
an inverted index from each alternative's most selective group to the alternative gives the
candidates. Only candidates are run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _trie_regex(words: Sequence[str]) -> str:
    """A regex matching the longest of ``words`` that starts at a position (greedy trie)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:  # this node ends a word: the longer continuations are optional
            return "(?:" + body + ")?"
        return body

    return emit(trie)


class AnchorIndex:
    """Maps a text to the entries (alternatives) whose anchor groups it satisfies."""

    def __init__(self, entries: Sequence[tuple[tuple[str, ...], ...]]):
        self.entries = [tuple(frozenset(g) for g in groups) for groups in entries]
        self.always = [i for i, groups in enumerate(entries) if not groups]
        self.by_key: dict[str, list[int]] = {}
        words: set[str] = set()
        for i, groups in enumerate(entries):
            for group in groups:
                words.update(group)
            if groups:
                for literal in groups[0]:  # groups[0] is the most selective group
                    self.by_key.setdefault(literal, []).append(i)
        ordered = sorted(words)
        # one trie regex per first character: a scan looks each position's character up and
        # tries only the literals that start with it (one regex over all of them would try
        # every first character at every position)
        by_first: dict[str, list[str]] = {}
        for w in ordered:
            by_first.setdefault(w[0], []).append(w)
        self.tries = {ch: re.compile(_trie_regex(ws)).match for ch, ws in by_first.items()}
        # a literal found at a position implies every literal that is a prefix of it
        self.prefixes = {w: [p for p in (w[:k] for k in range(1, len(w))) if p in words] for w in ordered}

    def present(self, hay: str) -> set[str]:
        found: set[str] = set()
        tries = self.tries
        for pos, ch in enumerate(hay):
            match = tries.get(ch)
            if match is None:
                continue
            m = match(hay, pos)
            if m:
                word = m.group()
                if word not in found:
                    found.add(word)
                    found.update(self.prefixes[word])
        return found

    def candidates(self, hay: str) -> list[int]:
        """Indices of the entries whose every anchor group has a literal in ``hay``."""
        found = self.present(hay)
        out = set(self.always)
        for literal in found:
            for i in self.by_key.get(literal, ()):
                if i not in out and all(group & found for group in self.entries[i][1:]):
                    out.add(i)
        return sorted(out)
