"""Output formats: one module per format behind one small interface.

A renderer gets ``begin(meta)``, then ``item(result)`` for each input in input order — the
result's JSON form (``to_dict()`` of a Report for ``check``, of a Caption for ``parse``, an image
reading for ``read``), so results made in worker processes render the same — or
``error(result)`` for an error line ``{"source", "error"}``, and finally ``end(summary)``. Machine formats write only their format to ``out``; diagnostics and,
for streaming formats, the summary go to ``err``.

A format whose every result is one self-contained piece of text (jsonl) also has a static
``line(result) -> str``, which the batch runs in the worker processes, and
``prerendered(text)``, which writes such a piece: the parent process then only writes.
"""

from __future__ import annotations

from typing import Any, Protocol, TextIO


class Renderer(Protocol):
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check") -> None: ...
    def begin(self, meta: dict[str, Any]) -> None: ...
    def item(self, result: Any) -> None: ...
    def error(self, result: dict[str, Any]) -> None: ...
    def end(self, summary: dict[str, Any]) -> None: ...


def renderer(name: str):
    """The renderer class of a format name (imported on demand)."""
    if name == "text":
        from .text import TextRenderer
        return TextRenderer
    if name == "json":
        from .json import JsonRenderer
        return JsonRenderer
    if name == "jsonl":
        from .jsonl import JsonlRenderer
        return JsonlRenderer
    if name == "csv":
        from .csv import CsvRenderer
        return CsvRenderer
    if name == "github":
        from .github import GithubRenderer
        return GithubRenderer
    raise KeyError(name)


FORMATS = ("text", "json", "jsonl", "csv", "github")
