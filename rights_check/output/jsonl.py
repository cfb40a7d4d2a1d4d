"""``--format jsonl``: one line per input, flushed as soon as it is written, so a pipeline
can consume it live; the summary goes to stderr (contract §5)."""

from __future__ import annotations

import json
from typing import Any, TextIO


class JsonlRenderer:
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check"):
        self.out, self.err = out, err

    def begin(self, meta: dict[str, Any]) -> None:
        pass

    @staticmethod
    def line(obj: dict[str, Any]) -> str:
        """One result's line. Workers call it, so the parent only writes (``prerendered``)."""
        return json.dumps(obj, ensure_ascii=False, check_circular=False) + "\n"  # plain data: no cycles

    def prerendered(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _line(self, obj: dict[str, Any]) -> None:
        self.prerendered(self.line(obj))

    def item(self, result: Any) -> None:
        self._line(result)

    def error(self, result: dict[str, Any]) -> None:
        self._line(result)

    def end(self, summary: dict[str, Any]) -> None:
        self.err.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        self.err.flush()
