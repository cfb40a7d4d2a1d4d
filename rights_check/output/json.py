"""``--format json``: one document holding every report, its errors and the summary."""

from __future__ import annotations

import json
from typing import Any, TextIO


class JsonRenderer:
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check"):
        self.out, self.err, self.command = out, err, command
        self.doc: dict[str, Any] = {}
        self.items: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []

    def begin(self, meta: dict[str, Any]) -> None:
        self.doc = dict(meta)

    def item(self, result: Any) -> None:
        self.items.append(result)

    def error(self, result: dict[str, Any]) -> None:
        self.errors.append(result)

    def end(self, summary: dict[str, Any]) -> None:
        key = {"check": "reports", "parse": "captions", "read": "images"}[self.command]
        self.doc.update({key: self.items, "errors": self.errors, "summary": summary})
        json.dump(self.doc, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")
        self.out.flush()
