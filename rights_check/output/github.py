"""``--format github``: GitHub Actions workflow commands, which the runner turns into
annotations on the run and, for files in the repository, on the lines of the pull request.

``check`` writes one command per finding that is not ok, in input order, flushed as each input
is done:

    ::error file=PATH,line=L,col=C,title=rights-check TYPE::REASON      (a violation)
    ::warning file=PATH,line=L,col=C,title=rights-check TYPE::REASON    (needs review)

- ``file=`` is the input's path as given on the command line (run from the repository root for
  the annotation to land on the file); caption strings (``--caption``), standard input and
  ``--records`` captions are not files and get no ``file=``;
- ``line=``/``col=`` (1-based; the column counts characters, lines end at ``\\n``) point at the
  first evidence span of the restriction, and only when that evidence is in a caption text
  file's own text (evidence field ``caption``, the input a text file whose bytes are exactly the
  reported caption). Images get no line: the caption lives in their metadata, not on a line;
- a report that needs review without any finding saying so (a rights field cut at its byte
  limit, or decoded by guess) gets one ``::warning`` per such notice, titled with its kind;
- ok findings and the report's other notices (translation gaps, field conflicts) write nothing,
  so the annotations a step may show (GitHub keeps a limited number) go to what needs a person.

An input that could not be read writes ``::error file=PATH::MESSAGE`` (no ``file=`` for stdin,
``--caption`` or a bad ``--records`` line).

``parse`` writes one ``::notice`` per restriction found (title ``rights-check TYPE``, message the
type, its value and the quoted evidence), with ``line``/``col`` in caption text files; ``read``
writes one ``::notice`` per machine-readable restriction and per notice of the reading (title
``rights-check KIND``). Errors are ``::error`` as above.

Escaping follows the runner's rules: in the message ``%`` becomes ``%25``, carriage return
``%0D`` and line feed ``%0A``; in property values (file, title) also ``:`` becomes ``%3A`` and
``,`` becomes ``%2C``. A reason with line breaks therefore stays one command, and nothing from a
caption or a file name can start a command of its own.

The summary goes to standard error as one ``::notice title=rights-check summary::…`` line
(``3 inputs: 0 ok, 2 needs review, 0 violations, 1 error; exit code 2``): standard output holds
only the per-input commands, and the runner, which reads workflow commands on both streams,
still shows the summary as a notice on the run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

LEVELS = {"violation": "error", "needs_review": "warning"}
RISKY_NOTICES = ("truncated", "encoding_guess")


def escape_data(text: Any) -> str:
    """A command's message: ``%``, CR and LF percent-encoded (the runner decodes them)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: Any) -> str:
    """A property value (file, title): as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: Any, **properties: Any) -> str:
    """One workflow command line, e.g. ``::error file=a.txt,line=2::why``."""
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in ``text`` (lines end at ``\\n``)."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _is_path(result: dict[str, Any]) -> bool:
    """Whether the input is a file named on the command line or in a record (not caption text
    given as a string, standard input, or a records line that could not be read)."""
    source = result.get("source")
    if not isinstance(source, str) or not source or source == "-":
        return False
    if source.startswith("--caption") or source.startswith("<"):
        return False
    if "id" in result and source == str(result["id"]):
        return False  # a --records caption is named by its id
    return True


def _is_text_file(result: dict[str, Any]) -> bool:
    """Whether the evidence offsets of the field ``caption`` are offsets in the input file's own
    text: the input is a caption text file, not an image whose caption is a metadata value."""
    fields = result.get("fields") or {}
    if not _is_path(result) or set(fields) != {"caption"}:
        return False
    if "sha256" in result:  # a report: the file's bytes are exactly this text (after a BOM)?
        digest = result["sha256"]
        if not digest:
            return False
        data = fields["caption"].encode("utf-8")
        return digest in (hashlib.sha256(data).hexdigest(),
                          hashlib.sha256(b"\xef\xbb\xbf" + data).hexdigest())
    # parse gives no digest: a text file is whatever is not an image
    from ..errors import InputError
    from ..image import is_image
    from ..files import open_input

    try:
        with open_input(result["source"]) as fh:
            return not is_image(fh.read(64))
    except (InputError, OSError):
        return False


class GithubRenderer:
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check"):
        self.out, self.err, self.command = out, err, command

    def _write(self, lines: list[str]) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def begin(self, meta: dict[str, Any]) -> None:
        pass

    def item(self, result: dict[str, Any]) -> None:
        handler = {"check": self._check, "parse": self._parse, "read": self._read}[self.command]
        self._write(handler(result))

    def error(self, result: dict[str, Any]) -> None:
        self._write([command("error", result.get("error", ""),
                             file=result["source"] if _is_path(result) else None)])

    def end(self, summary: dict[str, Any]) -> None:
        self.err.write(command("notice", summary_text(summary), title="rights-check summary") + "\n")
        self.err.flush()

    # --- one input's commands --------------------------------------------------------------

    def _location(self, result: dict[str, Any], restriction: dict[str, Any] | None,
                  text_file: list[bool | None]) -> dict[str, Any]:
        """file=, and line=/col= when the first evidence is in a caption text file's text."""
        if not _is_path(result):
            return {}
        where: dict[str, Any] = {"file": result["source"]}
        evidence = (restriction or {}).get("evidence") or []
        if evidence and evidence[0].get("field") == "caption" and isinstance(evidence[0].get("start"), int):
            if text_file[0] is None:  # decided once per input, only when needed
                text_file[0] = _is_text_file(result)
            if text_file[0]:
                where["line"], where["col"] = line_col(result["fields"]["caption"], evidence[0]["start"])
        return where

    def _check(self, report: dict[str, Any]) -> list[str]:
        lines = []
        text_file: list[bool | None] = [None]
        restrictions = report.get("restrictions") or []
        # findings come one per restriction, in the same order
        for n, finding in enumerate(report.get("findings") or []):
            level = LEVELS.get(finding.get("verdict"))
            if level is None:
                continue
            restriction = restrictions[n] if n < len(restrictions) else None
            lines.append(command(level, finding.get("reason", ""),
                                 **self._location(report, restriction, text_file),
                                 title=f"rights-check {finding.get('type')}"))
        level = LEVELS.get(report.get("verdict"))
        if level is not None and not lines:
            # the verdict comes from the metadata itself: a cut or garbled rights field
            file = report["source"] if _is_path(report) else None
            notices = [n for n in report.get("notices") or [] if n.get("kind") in RISKY_NOTICES]
            for notice in notices:
                lines.append(command(level, notice.get("message", ""), file=file,
                                     title=f"rights-check {notice.get('kind')}"))
            if not notices:
                lines.append(command(level, f"{report.get('source')}: the report says "
                                            f"{report.get('verdict')}", file=file, title="rights-check"))
        return lines

    def _parse(self, caption: dict[str, Any]) -> list[str]:
        lines = []
        text_file: list[bool | None] = [None]
        for restriction in caption.get("restrictions") or []:
            rtype = restriction.get("type")
            message = str(rtype)
            if restriction.get("value") is not None:
                message += " " + json.dumps(restriction["value"], ensure_ascii=False)
            quotes = [f"{e.get('field')}: '{e.get('text')}'" for e in restriction.get("evidence") or []]
            if quotes:
                message += " — " + "; ".join(quotes)
            lines.append(command("notice", message, **self._location(caption, restriction, text_file),
                                 title=f"rights-check {rtype}"))
        return lines

    def _read(self, record: dict[str, Any]) -> list[str]:
        file = record["source"] if _is_path(record) else None
        lines = []
        for restriction in record.get("restrictions") or []:
            value = restriction.get("value")
            message = f"machine-readable {restriction.get('type')}"
            if value is not None:
                message += " " + json.dumps(value, ensure_ascii=False)
            lines.append(command("notice", message, file=file, title=f"rights-check {restriction.get('type')}"))
        for notice in record.get("notices") or []:
            lines.append(command("notice", notice.get("message", ""), file=file,
                                 title=f"rights-check {notice.get('kind')}"))
        return lines


def summary_text(summary: dict[str, Any]) -> str:
    """``3 inputs: 0 ok, 2 needs review, 0 violations, 1 error; exit code 2``."""
    def count(n: int, word: str, plural: str | None = None) -> str:
        return f"{n} {word if n == 1 else (plural or word + 's')}"

    parts = []
    for key, word, plural in (("ok", "ok", "ok"), ("needs_review", "needs review", "needs review"),
                              ("violation", "violation", None)):
        if key in summary:
            parts.append(count(summary[key], word, plural))
    parts.append(count(summary.get("errors", 0), "error"))
    text = f"{count(summary.get('inputs', 0), 'input')}: {', '.join(parts)}"
    if summary.get("skipped"):
        text += f", {len(summary['skipped'])} skipped"
    if summary.get("interrupted"):
        text += ", interrupted"
    return text + f"; exit code {summary.get('exit_code')}"
